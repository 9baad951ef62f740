"""The lexical signal of retrieval: BM25 over word terms, normalised to 0..1, and able to grow.

Exact words count here where the sentence encoder blurs them: product names ("Dark Harbour"), "Ireland",
"coeliac", "404". The score of a document is BM25 divided by its best possible value for the query, i.e.
the idf-weighted share of the query's terms the document holds (saturating in how often): 1.0 means every
query term, 0.0 none. Term frequencies are kept as a sparse matrix and weighted at query time, so adding
documents (a newly posted reply) appends rows instead of re-indexing everything (bm25s, the fast library,
fixes the weights at indexing time and re-indexes on every change).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

K1 = 1.2
B = 0.75
MIN_DOCUMENTS = 30
"""idf is taken as if there were at least this many documents: in a one-entry base every word it holds
is in all documents, and plain BM25 gives those words (the ones that match) almost no weight."""
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.U)
# Spanish, French and German function words: the demo and the shared data hold messages in each
_OTHER_STOP = frozenset(
    re.findall(
        r"\S+",
        """de la que el en y a los se del las un una por con no su para es al lo como más o pero le me si sin
        este esta ya muy mi hay os tu te nos vuestro vosotros usted yo qué cómo hola gracias les du des et
        est pas je vous il elle nous une pour dans ce qui sur au avec mais ou bonjour merci der die das und
        ist nicht ich sie ein eine zu mit auf für den dem von bitte danke hallo""",
    )
)
_NEGATED = frozenset(
    {"can", "don", "doesn", "didn", "won", "isn", "aren", "wasn", "haven", "hasn", "couldn", "wouldn"}
)
STOP = ENGLISH_STOP_WORDS | _OTHER_STOP | {"hi", "hey", "hello", "thanks", "thank", "pls", "please", "just"}


def _fold(word: str) -> str:
    # "café" and "cafe", "envío" and "envio" are one term
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def terms(text: str) -> list[str]:
    """Lower-case, accent-folded word terms without stop words; a plural -s is dropped ("bags" = "bag")."""
    out = []
    for raw in _WORD.findall(text.lower()):
        word = raw.replace("’", "'").removesuffix("'s")
        if word in STOP or len(word) < 2 or ("'" in word and word.split("'")[0] in STOP | _NEGATED):
            continue  # "can't", "I'm", "we're", "don't": grammar, not topic
        word = _fold(word)
        if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        out.append(word)
    return out


class Lexical:
    """BM25 over a growing list of documents; ``scores(query)`` gives one 0..1 score per document."""

    def __init__(self, documents: Iterable[str] = ()) -> None:
        self._vocab: dict[str, int] = {}
        self._rows: list[np.ndarray] = []
        self._cols: list[np.ndarray] = []
        self._vals: list[np.ndarray] = []
        self._lengths: list[float] = []
        self._matrix: sparse.csc_matrix | None = None
        self._df: np.ndarray = np.zeros(0)
        self._norm: np.ndarray = np.zeros(0, dtype=np.float32)
        self.add(documents)

    def __len__(self) -> int:
        return len(self._lengths)

    def add(self, documents: Iterable[str]) -> None:
        """Append documents (their scores come after the existing ones, in order)."""
        added = False
        for text in documents:
            counts: dict[int, int] = {}
            for term in terms(text):
                index = self._vocab.setdefault(term, len(self._vocab))
                counts[index] = counts.get(index, 0) + 1
            row = len(self._lengths)
            self._rows.append(np.full(len(counts), row, dtype=np.int32))
            self._cols.append(np.fromiter(counts.keys(), dtype=np.int32, count=len(counts)))
            self._vals.append(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))
            self._lengths.append(float(sum(counts.values())))
            added = True
        if added:
            self._matrix = None

    def _compiled(self) -> sparse.csc_matrix:
        if self._matrix is None:
            rows = np.concatenate(self._rows) if self._rows else np.zeros(0, dtype=np.int32)
            cols = np.concatenate(self._cols) if self._cols else np.zeros(0, dtype=np.int32)
            vals = np.concatenate(self._vals) if self._vals else np.zeros(0, dtype=np.float32)
            # one chunk from now on: the next add appends to it without re-concatenating the pieces
            self._rows, self._cols, self._vals = [rows], [cols], [vals]
            shape = (len(self._lengths), max(len(self._vocab), 1))
            self._matrix = sparse.csc_matrix((vals, (rows, cols)), shape=shape)
            self._df = np.diff(self._matrix.indptr)
            lengths = np.asarray(self._lengths, dtype=np.float32)
            self._norm = K1 * (1 - B + B * lengths / max(float(lengths.mean()), 1e-9))
        return self._matrix

    def scores(self, query: str | Sequence[tuple[str, float]]) -> np.ndarray:
        """Normalised BM25 of every document for ``query``: a text, or (text, weight) parts.

        Weighted parts let a thread's earlier messages count less than the newest one.
        """
        parts = [(query, 1.0)] if isinstance(query, str) else list(query)
        n = len(self._lengths)
        out = np.zeros(n, dtype=np.float32)
        weights: dict[str, float] = {}
        for text, weight in parts:
            for term in dict.fromkeys(terms(text)):
                weights[term] = max(weights.get(term, 0.0), weight)
        if n == 0 or not weights:
            return out
        matrix = self._compiled()
        norm = self._norm
        total = 0.0
        for term, weight in weights.items():
            index = self._vocab.get(term)
            df = int(self._df[index]) if index is not None else 0
            idf = math.log(1 + (max(n, MIN_DOCUMENTS) - df + 0.5) / (df + 0.5))
            total += weight * idf
            if index is None or df == 0:
                continue  # a term no document holds still counts in the total: it is not covered
            start, stop = matrix.indptr[index], matrix.indptr[index + 1]
            docs, tf = matrix.indices[start:stop], matrix.data[start:stop]
            out[docs] += weight * idf * tf / (tf + norm[docs])
        return out / total if total > 0 else out
