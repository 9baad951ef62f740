"""Training scripts of trustdesk's analysis models (never run in CI; see README.md here)."""
