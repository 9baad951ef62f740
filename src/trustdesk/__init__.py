"""trustdesk: answer every public comment and review — fast, personally and consistently."""

__version__ = "0.1.0"
