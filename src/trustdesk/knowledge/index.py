"""Retrieval over a knowledge base: which entries answer a message, ranked, with a measured threshold.

Pure (no database): built from entries, queried with a message and its thread. Two signals, combined:
- semantic: cosine between the message and each entry's title and question variants, from the shipped
  MiniLM encoder (``understand.embed``), the best variant per entry, minus its mean over the entries;
- lexical: normalised BM25 of the message's words over the entry's title, questions, answers and tags
  (``knowledge.lexical``), so exact names ("Dark Harbour", "Ireland", "coeliac") count.

score = semantic + ``LEXICAL_WEIGHT`` x lexical. Earlier messages of the thread count at ``CONTEXT_WEIGHT``: "PS4" alone matches nothing, but after
"which console?" the thread does. The weights and the threshold were chosen on the tune half of
``bench/data/knowledge_questions.jsonl`` (``python -m bench.knowledge``) and are checked on its other half.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from trustdesk.knowledge.lexical import Lexical
from trustdesk.knowledge.schemas import Entry, Match, Problem

LEXICAL_WEIGHT = 1.0
"""Weight of the lexical signal (0..1) added to the semantic one."""
CONTEXT_WEIGHT = 0.7
"""How much the thread's earlier messages count against the newest one (1.0 = as much)."""
ANSWER_THRESHOLD = 0.45
"""Score from which an entry answers the message; below it, nothing in the base answers."""
MIN_CENTRE = 30
"""Entries the semantic centre is taken over; a smaller base is padded with ``background.txt``."""
BACKGROUND = Path(__file__).with_name("background.txt")


def document(entry: Entry) -> str:
    """The text the lexical signal indexes for an entry."""
    answers = " ".join(w for wordings in entry.answers.values() for w in wordings)
    return " ".join([*entry.all_questions(), answers, " ".join(entry.tags)])


class KnowledgeIndex:
    """The entries of one knowledge base, embedded and indexed once; ``search`` is cheap and pure."""

    def __init__(
        self,
        entries: Sequence[Entry],
        *,
        threshold: float = ANSWER_THRESHOLD,
        problems: Sequence[Problem] = (),
    ) -> None:
        from trustdesk.understand import embed

        self.entries: tuple[Entry, ...] = tuple(entries)
        self.threshold = threshold
        self.problems: tuple[Problem, ...] = tuple(problems)
        """Lines of the source file that were not read (a base loaded from a file)."""
        texts: list[str] = []
        owners: list[int] = []
        for n, entry in enumerate(self.entries):
            for question in entry.all_questions():
                texts.append(question)
                owners.append(n)
        self._questions = texts
        self._owners = np.asarray(owners, dtype=np.int64)
        self._vectors = embed(texts) if texts else np.zeros((0, 0), dtype=np.float32)
        self._lexical = Lexical(document(e) for e in self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def signals(
        self, text: str, *, thread: Sequence[str] = (), context_weight: float = CONTEXT_WEIGHT
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(semantic, lexical, closest question row) per entry: the parts ``search`` combines."""
        context = [t for t in thread if t and t.strip()][-4:]
        query = np.stack([embed_one(text), *([embed_one(" ".join([*context, text]))] if context else [])])
        sims = query @ self._vectors.T  # (queries, question rows)
        row_sim = sims[0] if not context else np.maximum(sims[0], context_weight * sims[1])
        semantic = np.full(len(self.entries), -1.0, dtype=np.float32)
        np.maximum.at(semantic, self._owners, row_sim)
        # The encoder was tuned for sentiment and intent, not similarity: any two short "Do you ...?" questions
        # score ~0.9. What tells is how much closer an entry is than the base's average entry.
        semantic = semantic - centre(semantic, query[0])
        closest = np.zeros(len(self.entries), dtype=np.int64)
        for row in np.argsort(row_sim):  # ascending: the best row of an entry is written last
            closest[self._owners[row]] = row
        lexical = self._lexical.scores(text)
        if context:  # the thread's words add evidence; they never dilute the newest message's
            lexical = np.maximum(
                lexical, self._lexical.scores([(text, 1.0), *((t, context_weight) for t in context)])
            )
        return semantic, lexical, closest

    def search(self, text: str, *, thread: Sequence[str] = (), limit: int = 5) -> list[Match]:
        """The ``limit`` best entries for ``text`` (after ``thread``, its earlier messages, oldest first)."""
        if not self.entries or limit <= 0:
            return []
        semantic, lexical, closest = self.signals(text, thread=thread)
        score = semantic + LEXICAL_WEIGHT * lexical
        order = np.argsort(-score, kind="stable")[:limit]
        return [
            Match(
                entry=self.entries[i],
                score=float(score[i]),
                semantic=float(semantic[i]),
                lexical=float(lexical[i]),
                answers=bool(score[i] >= self.threshold),
                question=self._questions[closest[i]],
            )
            for i in order
        ]

    def answering(self, text: str, *, thread: Sequence[str] = (), limit: int = 3) -> list[Match]:
        """Only the entries that answer ``text`` (score at or above the threshold), best first."""
        return [m for m in self.search(text, thread=thread, limit=limit) if m.answers]


@lru_cache(maxsize=256)
def embed_one(text: str) -> np.ndarray:
    """The unit embedding of one text, cached: a draft asks for the same message's knowledge and archive."""
    from trustdesk.understand import embed

    vector = embed([text])[0]
    vector.setflags(write=False)
    return vector


def centre(similarities: np.ndarray, query: np.ndarray) -> float:
    """The mean of ``similarities`` (one per entry), padded to ``MIN_CENTRE`` with the background's."""
    pad = max(0, MIN_CENTRE - len(similarities))
    padding = _background()[:pad] @ query if pad else np.zeros(0, dtype=np.float32)
    return float(np.concatenate([similarities.astype(np.float32), padding]).mean())


@cache
def _background() -> np.ndarray:
    """Embeddings of everyday messages from other businesses (``background.txt``), for centring small bases."""
    from trustdesk.understand import embed

    lines = BACKGROUND.read_text(encoding="utf-8").splitlines()
    return embed([line for line in lines if line.strip() and not line.startswith("#")])
