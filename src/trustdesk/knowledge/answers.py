"""The knowledge base and the reply archive as the drafter's answer sources (``respond.answers.AnswerSource``).

``KnowledgeSource(index)`` gives the entries that answer a message in the drafter's ``Answer`` form: the
approved wording in the reply's language (an entry without that language is left out rather than answer in
another), its other wordings, its first link, and a score on the drafter's scale, where
``respond.answers.MIN_SCORE`` stands for this index's measured threshold. ``ArchiveSource`` gives the
brand's de-identified, checked past replies (kind ``archive``: offered, never used as the answer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from trustdesk.knowledge.files import load_knowledge
from trustdesk.knowledge.index import KnowledgeIndex
from trustdesk.knowledge.schemas import KnowledgeError
from trustdesk.respond.answers import MIN_SCORE, Answer
from trustdesk.respond.schemas import Playbook
from trustdesk.understand.schemas import Analysis


def on_answer_scale(score: float, threshold: float) -> float:
    """A retrieval score on the drafter's 0..1 scale: ``threshold`` becomes ``MIN_SCORE``, order kept."""
    return max(0.0, min(1.0, MIN_SCORE + (score - threshold)))


@dataclass(frozen=True)
class KnowledgeSource:
    """A knowledge index as an answer source; ``thread`` (earlier messages, oldest first) adds context."""

    index: KnowledgeIndex
    thread: tuple[str, ...] = ()
    limit: int = 3

    def __call__(self, *, text: str, language: str) -> Sequence[Answer]:
        """The nearest entries with a wording in ``language``, best first (below MIN_SCORE: not answers)."""
        out = []
        for match in self.index.search(text, thread=self.thread, limit=self.limit):
            wordings = match.entry.answers.get(language)
            if not wordings:
                continue
            link = match.entry.links[0].url if match.entry.links else None
            score = on_answer_scale(match.score, self.index.threshold)
            out.append(Answer(wordings[0], score, "knowledge", link, match.entry.slug, tuple(wordings[1:])))
        return out


def load_source(path: Path) -> KnowledgeSource | None:
    """An answer source for a .md/.csv/.yaml knowledge file; a file with no readable entry gives None."""
    try:
        return KnowledgeSource(load_knowledge(path))
    except KnowledgeError:
        return None


@dataclass(frozen=True)
class ArchiveSource:
    """The brand's posted replies to similar messages (de-identified, checked) as ``archive`` answers."""

    session: Session
    brand_id: int
    playbook: Playbook
    channel: str | None = None
    analysis: Analysis | None = None
    role: str = "agent"
    exclude_conversation_id: int | None = None

    def __call__(self, *, text: str, language: str) -> Sequence[Answer]:
        """Up to three past replies, best first."""
        from trustdesk.knowledge.archive import MIN_SCORE as ARCHIVE_MIN
        from trustdesk.knowledge.archive import suggestions

        found = suggestions(session=self.session, brand_id=self.brand_id, text=text, playbook=self.playbook,
                            channel=self.channel, analysis=self.analysis, role=self.role,
                            exclude_conversation_id=self.exclude_conversation_id)  # fmt: skip
        return [Answer(s.reply, on_answer_scale(s.score, ARCHIVE_MIN), "archive", None, f"reply-{s.message_id}")
                for s in found]  # fmt: skip
