"""trustdesk.api."""
