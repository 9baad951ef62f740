"""trustdesk.web."""
