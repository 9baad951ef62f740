"""trustdesk.worker."""
