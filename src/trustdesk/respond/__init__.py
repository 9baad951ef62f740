"""trustdesk.respond."""
