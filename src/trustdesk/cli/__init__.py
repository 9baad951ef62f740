"""trustdesk.cli."""
