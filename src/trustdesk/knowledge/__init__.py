"""trustdesk.knowledge: each brand's FAQ answers, policies and help links, and retrieval over them.

Retrieval is pure (no database): build a ``KnowledgeIndex`` from entries (or ``load_knowledge(path)`` from
a .md/.csv/.yaml file), then ``index.answering(text, thread=[...])`` gives the entries that answer a message,
best first, each a ``Match`` with its score, or ``index.search`` the nearest ones whether they answer or
not. ``with_knowledge(playbook, matches)`` lets the reply checker accept their approved wording.

The database side: ``knowledge.service`` (a brand's entries: import, edit, audited; ``knowledge_index``
cached per brand) and ``knowledge.archive`` (the brand's own posted replies to similar past messages,
with the other customer's details removed and checked).
"""

from trustdesk.knowledge.files import load_knowledge, with_knowledge
from trustdesk.knowledge.index import ANSWER_THRESHOLD, KnowledgeIndex
from trustdesk.knowledge.schemas import Entry, EntryRead, KnowledgeError, Link, Match, Problem

__all__ = [
    "ANSWER_THRESHOLD",
    "Entry",
    "EntryRead",
    "KnowledgeError",
    "KnowledgeIndex",
    "Link",
    "Match",
    "Problem",
    "load_knowledge",
    "with_knowledge",
]
