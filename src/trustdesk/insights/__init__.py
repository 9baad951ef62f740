"""trustdesk.insights."""
