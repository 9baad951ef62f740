"""trustdesk.store."""
