"""trustdesk.team."""
