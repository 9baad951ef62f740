"""trustdesk.respond: playbooks, the drafter and the reply checker (pure: no database, no network)."""

from trustdesk.respond.checker import check_reply, requires_lead
from trustdesk.respond.drafter import draft
from trustdesk.respond.playbook import PlaybookError, load_playbook, parse_playbook
from trustdesk.respond.schemas import CustomerHistory, DraftResult, Finding, Playbook

__all__ = [
    "CustomerHistory",
    "DraftResult",
    "Finding",
    "Playbook",
    "PlaybookError",
    "check_reply",
    "draft",
    "load_playbook",
    "parse_playbook",
    "requires_lead",
]
