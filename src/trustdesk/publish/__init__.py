"""trustdesk.publish: replies on their way out — approval states, the outbox and posting."""
