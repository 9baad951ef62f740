"""ACCURATE tier ``trustdesk.minilm.v1``: fine-tuned all-MiniLM-L6-v2, int8 ONNX, one head per task.

Served with onnxruntime + tokenizers; texts are sorted by token length and batched so padding stays small.
The same session also gives the mean-pooled sentence embedding the heads read (``embed``), used for
retrieval (knowledge base, reply archive).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence

import numpy as np

from trustdesk.understand.fast import _sigmoid, _softmax
from trustdesk.understand.registry import MODELS_DIR, Component, register

MAX_TOKENS = 128
BATCH_TOKENS = 2048
"""Tokens per inference batch (rows x padded length): keeps memory flat whatever the lengths."""
POOLED = "/Div_output_0"
"""The mean-pooled embedding the heads read (384 floats; name given by the torch export)."""
EMBEDDING_DIM = 384
TEXTS_PER_CALL = 2048
"""Texts ``analyze`` hands over at once: sorted by length together, more of them pad less (~+15 %
throughput over 512). int8 activations are quantised per inference batch, so a text's scores depend on
the texts batched with it, whatever this number: shuffling 6,000 validation texts flips ~1 % of the
sentiment labels, and changing 512 to 2048 moved them as much."""


class MiniLMModel:
    """Shared MiniLM encoder with linear heads, exported to ONNX and quantised to int8."""

    name = "trustdesk.minilm.v1"
    batch_size = TEXTS_PER_CALL

    def __init__(self, *, stem: str = "minilm_v1") -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        meta = json.loads((MODELS_DIR / f"{stem}.json").read_text(encoding="utf-8"))
        self.heads: list[dict] = meta["heads"]
        self.meta = meta
        self._tok = Tokenizer.from_file(str(MODELS_DIR / f"{stem}.tokenizer.json"))
        self._tok.no_padding()
        self._tok.enable_truncation(max_length=MAX_TOKENS)
        opts = ort.SessionOptions()
        # every core on each run, but no spinning: a thread spinning at each op's barrier halved the
        # throughput whenever another process held a core. (Batches side by side, one core each, were no
        # faster and kept two runs' scratch memory: 480-560 MB peak against the server's 500 MB budget.)
        threads = int(os.environ.get("TRUSTDESK_ONNX_THREADS", "0")) or (os.cpu_count() or 1)
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # memory patterns cache one plan per input shape; with length buckets there are many shapes,
        # and the server budget is 500 MB in all (measured: peak +85 MB instead of +210 MB)
        opts.enable_mem_pattern = False
        # the graph also outputs the pooled embedding: it is computed for the logits anyway, so one session
        # serves both (the logits stay bit-for-bit the same: checked in tests/understand/test_embed.py)
        raw = (MODELS_DIR / f"{stem}.int8.onnx").read_bytes()
        self.fingerprint = f"{self.name}:{hashlib.sha256(raw).hexdigest()[:16]}"
        """Names this exact graph: stored embeddings made by another one are stale."""
        graph = with_output(raw, POOLED)
        self._session = ort.InferenceSession(graph, sess_options=opts, providers=["CPUExecutionProvider"])
        self._n_out = max(h["end"] for h in self.heads)
        self._run_options = ort.RunOptions()
        # hand the run's scratch memory back to the arena's free list at its end (server budget 500 MB)
        self._run_options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Concatenated head logits, one row per text, computed in length-sorted batches."""
        out = np.zeros((len(texts), self._n_out), dtype=np.float32)
        if not texts:
            return out
        ids = [e.ids for e in self._tok.encode_batch(list(texts))]
        for rows, input_ids, mask in _length_batches(ids):
            (out[rows],) = self._session.run(
                ["logits"], {"input_ids": input_ids, "attention_mask": mask}, run_options=self._run_options
            )
        return out

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Mean-pooled sentence embeddings of cleaned texts, one float32 row of ``EMBEDDING_DIM`` per text."""
        out = np.zeros((len(texts), EMBEDDING_DIM), dtype=np.float32)
        if not texts:
            return out
        ids = [e.ids for e in self._tok.encode_batch(list(texts))]
        for rows, input_ids, mask in _length_batches(ids):
            (out[rows],) = self._session.run(
                [POOLED], {"input_ids": input_ids, "attention_mask": mask}, run_options=self._run_options
            )
        return out

    def predict(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Per-head probabilities for cleaned texts."""
        z = self.logits(texts)
        result: dict[str, np.ndarray] = {}
        for h in self.heads:
            part = z[:, h["start"] : h["end"]]
            result[h["name"]] = _softmax(part) if h["kind"] == "softmax" else _sigmoid(part)
        return result


def with_output(model: bytes, name: str) -> bytes:
    """A serialised ONNX model with the float tensor ``name`` added to the graph's outputs.

    Protobuf merges a message given twice, and appends to its repeated fields: appending one more
    ``ModelProto.graph`` (field 7) holding one ``GraphProto.output`` (field 12) is the whole edit, so serving
    needs no ``onnx`` package for it.
    """
    tensor = _varint(1 << 3) + _varint(1)  # TypeProto.Tensor.elem_type (field 1, varint) = FLOAT
    value_info = _field(1, name.encode()) + _field(2, _field(1, tensor))  # name; type.tensor_type
    return model + _field(7, _field(12, value_info))


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _length_batches(ids: list[list[int]]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(rows, input_ids, attention_mask) per batch: texts sorted by token count, padded to the batch's
    longest, about ``BATCH_TOKENS`` tokens each. int8 activations are quantised per batch, so the batches
    decide the scores' last digits: keep them the same and the results stay the same."""
    order = np.argsort([len(x) for x in ids], kind="stable")
    lengths = [max(8, len(ids[k])) for k in order]
    batches = []
    start = 0
    while start < len(order):
        # rows sorted ascending: a batch pads every row to its last one, and grows while that padded size
        # (rows x longest) stays within BATCH_TOKENS. (Counting by the first row let 69 rows of 128 tokens
        # share a batch, 4x the budget: the demo's 325 messages peaked at 540 MB.)
        stop = start + 1
        while stop < len(order) and (stop + 1 - start) * lengths[stop] <= BATCH_TOKENS:
            stop += 1
        longest = len(ids[order[stop - 1]])
        rows = order[start:stop]
        input_ids = np.zeros((len(rows), longest), dtype=np.int64)
        mask = np.zeros((len(rows), longest), dtype=np.int64)
        for r, k in enumerate(rows):
            n = len(ids[k])
            input_ids[r, :n] = ids[k]
            mask[r, :n] = 1
        batches.append((rows, input_ids, mask))
        start = stop
    return batches


@register("trustdesk.minilm.v1")
def _build() -> Component:
    return MiniLMModel()


class EnsembleModel:
    """MiniLM and the fast tier, averaged per head with weights tuned on the validation splits.

    The two models err differently (sub-word semantics vs exact n-grams), so the average beats both;
    the fast tier adds ~5 % to the MiniLM time. Weights: models/ensemble_v1.json.
    """

    name = "trustdesk.ensemble.v1"
    batch_size = TEXTS_PER_CALL

    def __init__(self, *, stem: str = "ensemble_v1") -> None:
        from trustdesk.understand.registry import get

        meta = json.loads((MODELS_DIR / f"{stem}.json").read_text(encoding="utf-8"))
        self.meta = meta
        self._minilm = get("trustdesk.minilm.v1")
        self._fast = get("trustdesk.fast.v1")
        self._weights: dict[str, float] = meta["minilm_weight"]
        # per-class prior correction of single-label heads (tuned on validation, as the weights are)
        self._scale = {k: np.asarray(v, dtype=np.float32) for k, v in meta.get("class_scale", {}).items()}
        base = {h["name"]: dict(h) for h in getattr(self._minilm, "heads", [])}
        for name, threshold in meta.get("thresholds", {}).items():
            base[name]["threshold"] = threshold
        self.heads: list[dict] = list(base.values())

    def predict(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Per-head weighted average of the two components' probabilities, prior-corrected where tuned."""
        a = self._minilm.predict(texts)
        b = self._fast.predict(texts)
        out = {k: self._weights.get(k, 0.5) * a[k] + (1.0 - self._weights.get(k, 0.5)) * b[k] for k in a}
        for k, scale in self._scale.items():
            out[k] = prior_corrected(out[k], scale)
        return out


def prior_corrected(p: np.ndarray, scale: Sequence[float] | np.ndarray) -> np.ndarray:
    """Class probabilities re-weighted by ``scale`` and renormalised per row (the ensemble's correction)."""
    q = p * np.asarray(scale, dtype=p.dtype)
    return q / q.sum(axis=1, keepdims=True)


@register("trustdesk.ensemble.v1")
def _build_ensemble() -> Component:
    return EnsembleModel()
