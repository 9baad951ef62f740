"""Sentence embeddings from the shipped MiniLM encoder, for retrieval (knowledge base, reply archive).

Pure: texts in, vectors out. The encoder is the accurate tier's (``trustdesk.minilm.v1``), loaded once per
process through the registry, so retrieval and analysis share one model in memory.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from trustdesk.understand.accurate import EMBEDDING_DIM, MiniLMModel
from trustdesk.understand.registry import get
from trustdesk.understand.text import clean

__all__ = ["EMBEDDING_DIM", "embed", "embedding_model"]


def _model() -> MiniLMModel:
    model = get("trustdesk.minilm.v1")
    assert isinstance(model, MiniLMModel)
    return model


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length float32 embeddings, one row per text (an empty text gets a zero row); cosine = dot."""
    if not texts:
        return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    cleaned = [clean(t).text for t in texts]
    keep = [i for i, t in enumerate(cleaned) if t.strip()]
    out = np.zeros((len(texts), EMBEDDING_DIM), dtype=np.float32)
    if keep:
        vectors = _model().embed([cleaned[i] for i in keep])
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        out[keep] = vectors / np.maximum(norms, 1e-12)
    return out


def embedding_model() -> str:
    """The name and graph hash of the encoder ``embed`` uses (stored next to saved vectors)."""
    return _model().fingerprint
