"""trustdesk.collect."""
