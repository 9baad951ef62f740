"""trustdesk.understand."""
