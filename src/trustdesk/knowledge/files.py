"""A knowledge base read straight from a file, for the pure drafting path (``trustdesk draft --knowledge``)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from trustdesk.knowledge.formats import read_file
from trustdesk.knowledge.index import KnowledgeIndex
from trustdesk.knowledge.schemas import Entry, KnowledgeError, Match
from trustdesk.respond.schemas import Playbook


def load_knowledge(path: str | Path) -> KnowledgeIndex:
    """The entries of a .md/.csv/.yaml file, indexed for retrieval; cached while the file is unchanged.

    Lines that could not be read are in ``index.problems``; a file with no good entry at all, or one that
    cannot be read, raises ``KnowledgeError`` (``knowledge.unreadable``, ``knowledge.unknown_format``,
    ``knowledge.empty``).
    """
    resolved = Path(path).expanduser().resolve()
    try:
        stat = resolved.stat()
    except OSError as exc:
        raise KnowledgeError("knowledge.unreadable", f"{path}: {exc.strerror or exc}") from None
    return _load(resolved, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _load(path: Path, mtime_ns: int, size: int) -> KnowledgeIndex:
    parsed = read_file(path)
    if not parsed.entries:
        detail = "; ".join(f"line {p.line}: {p.message}" for p in parsed.problems[:5])
        raise KnowledgeError("knowledge.empty", f"{path.name}: no knowledge entry could be read" +
                             (f" ({detail})" if detail else ""))  # fmt: skip
    return KnowledgeIndex([e for _, e in parsed.entries], problems=parsed.problems)


def with_knowledge(playbook: Playbook, entries: Iterable[Entry | Match]) -> Playbook:
    """The playbook with the entries' approved wordings added to its facts, so the checker accepts them.

    The reply checker flags times, prices and durations that are not in the playbook's facts
    (``invented_fact``); an answer quoted from the brand's own knowledge base is a fact.
    """
    chosen = [e.entry if isinstance(e, Match) else e for e in entries]
    wordings = [w for e in chosen for ws in e.answers.values() for w in ws]
    if not wordings:
        return playbook
    statements = list(dict.fromkeys([*playbook.facts.statements, *wordings]))
    return playbook.model_copy(update={"facts": playbook.facts.model_copy(update={"statements": statements})})
