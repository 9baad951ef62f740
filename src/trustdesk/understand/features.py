"""Hashed word + character n-gram features of the fast tier, computed once per batch for all heads."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32

N_FEATURES = 2**18
_TOKEN_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)?|[!?]+|[\U0001F300-\U0001FAFF\u2600-\u27BF]", re.U)


def _analyzer(doc: str) -> list[str]:
    """Word unigrams and bigrams (prefixed, so they never collide by design with char grams) and
    character 3-5-grams inside word boundaries."""
    words = _TOKEN_RE.findall(doc.lower())
    feats = ["w:" + w for w in words]
    feats.extend(["b:" + a + " " + b for a, b in zip(words, words[1:], strict=False)])
    for w in words:
        if len(w) < 2:
            continue
        p = " " + w + " "
        n = len(p)
        feats.extend([p[i : i + 3] for i in range(n - 2)])
        feats.extend([p[i : i + 4] for i in range(n - 3)])
        feats.extend([p[i : i + 5] for i in range(n - 4)])
    return feats


_VECTORIZER = HashingVectorizer(
    analyzer=_analyzer, n_features=N_FEATURES, alternate_sign=False, norm=None, dtype=np.float32
)
_CACHE_MAX = 300_000
_word_cache: dict[str, list[int]] = {}
_bigram_cache: dict[str, int] = {}


def _hash(feature: str) -> int:
    """The column HashingVectorizer gives ``feature`` (murmurhash3 32-bit, seed 0, abs, modulo)."""
    h = murmurhash3_32(feature, seed=0)
    return (2147483647 - (N_FEATURES - 1)) % N_FEATURES if h == -(2**31) else abs(h) % N_FEATURES


def _word_columns(w: str) -> list[int]:
    """Columns of a word's unigram and character n-grams, cached: words repeat, so this is cheap."""
    cols = _word_cache.get(w)
    if cols is None:
        grams = ["w:" + w]
        if len(w) >= 2:
            p = " " + w + " "
            n = len(p)
            grams += [p[i : i + 3] for i in range(n - 2)]
            grams += [p[i : i + 4] for i in range(n - 3)]
            grams += [p[i : i + 5] for i in range(n - 4)]
        cols = [_hash(g) for g in grams]
        if len(_word_cache) >= _CACHE_MAX:
            _word_cache.clear()
        _word_cache[w] = cols
    return cols


def _bigram_column(b: str) -> int:
    col = _bigram_cache.get(b)
    if col is None:
        col = _hash("b:" + b)
        if len(_bigram_cache) >= _CACHE_MAX:
            _bigram_cache.clear()
        _bigram_cache[b] = col
    return col


def counts(texts: Sequence[str]) -> sp.csr_matrix:
    """Raw feature counts, equal to ``HashingVectorizer(analyzer=_analyzer)`` but with cached words."""
    indices: list[int] = []
    indptr = [0]
    for doc in texts:
        words = _TOKEN_RE.findall(doc.lower())
        for w in words:
            indices.extend(_word_columns(w))
        indices.extend([_bigram_column(a + " " + b) for a, b in zip(words, words[1:], strict=False)])
        indptr.append(len(indices))
    m = sp.csr_matrix(
        (np.ones(len(indices), dtype=np.float32), np.asarray(indices, dtype=np.int32), np.asarray(indptr)),
        shape=(len(texts), N_FEATURES),
    )
    m.sum_duplicates()
    return m


def featurize(texts: Sequence[str], idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear-tf x idf, l2-normalised rows, as a CSR matrix (N_FEATURES columns)."""
    x = counts(texts)
    np.log1p(x.data, out=x.data)
    x.data *= idf[x.indices]
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1), dtype=np.float32).ravel())
    norms[norms == 0] = 1.0
    x.data /= np.repeat(norms, np.diff(x.indptr))
    return x


def fit_idf(texts: Sequence[str]) -> np.ndarray:
    """Smoothed inverse document frequency of every hashed feature over ``texts``."""
    counts = _VECTORIZER.transform(texts).tocsc()
    df = np.diff(counts.indptr).astype(np.float64)
    n = counts.shape[0]
    return (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)
