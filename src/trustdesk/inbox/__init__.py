"""trustdesk.inbox."""
