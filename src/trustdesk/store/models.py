"""Imports every ORM model so metadata and Alembic see all tables."""

from trustdesk.collect.models import ImportRun
from trustdesk.inbox.models import (
    Brand,
    Channel,
    Conversation,
    ConversationTag,
    Customer,
    CustomerSuggestion,
    Identity,
    Message,
    MessageRevision,
)
from trustdesk.knowledge.models import ArchiveVector, KnowledgeEntry
from trustdesk.publish.models import Note, OutboxItem, Reply
from trustdesk.store.base import Base
from trustdesk.team.models import ApiToken, AuditEvent, Membership, User, WebSession

__all__ = [
    "ApiToken",
    "ArchiveVector",
    "AuditEvent",
    "Base",
    "Brand",
    "Channel",
    "Conversation",
    "ConversationTag",
    "Customer",
    "CustomerSuggestion",
    "Identity",
    "ImportRun",
    "KnowledgeEntry",
    "Membership",
    "Message",
    "MessageRevision",
    "Note",
    "OutboxItem",
    "Reply",
    "User",
    "WebSession",
]
