"""ACCURATE tier ``trustdesk.minilm.v1``: fine-tuned all-MiniLM-L6-v2, int8 ONNX, one head per task.

Served with onnxruntime + tokenizers; texts are sorted by token length and batched so padding stays small.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

import numpy as np

from trustdesk.understand.fast import _sigmoid, _softmax
from trustdesk.understand.registry import MODELS_DIR, Component, register

MAX_TOKENS = 128
BATCH_TOKENS = 2048
"""Tokens per inference batch (rows x padded length): keeps memory flat whatever the lengths."""


class MiniLMModel:
    """Shared MiniLM encoder with linear heads, exported to ONNX and quantised to int8."""

    name = "trustdesk.minilm.v1"

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
        opts.intra_op_num_threads = int(os.environ.get("TRUSTDESK_ONNX_THREADS", "0"))
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # memory patterns cache one plan per input shape; with length buckets there are many shapes,
        # and the server budget is 500 MB in all (measured: peak +85 MB instead of +210 MB)
        opts.enable_mem_pattern = False
        self._session = ort.InferenceSession(
            str(MODELS_DIR / f"{stem}.int8.onnx"), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        self._n_out = max(h["end"] for h in self.heads)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Concatenated head logits, one row per text, computed in length-sorted batches."""
        out = np.zeros((len(texts), self._n_out), dtype=np.float32)
        if not texts:
            return out
        encs = self._tok.encode_batch(list(texts))
        ids = [e.ids for e in encs]
        order = np.argsort([len(x) for x in ids], kind="stable")
        start = 0
        while start < len(order):
            longest = len(ids[order[min(len(order) - 1, start)]])
            rows = max(1, BATCH_TOKENS // max(8, longest))
            # the batch is sorted ascending, so its last row is the longest
            stop = min(len(order), start + rows)
            longest = len(ids[order[stop - 1]])
            batch = order[start:stop]
            input_ids = np.zeros((len(batch), longest), dtype=np.int64)
            mask = np.zeros((len(batch), longest), dtype=np.int64)
            for r, k in enumerate(batch):
                n = len(ids[k])
                input_ids[r, :n] = ids[k]
                mask[r, :n] = 1
            (res,) = self._session.run(["logits"], {"input_ids": input_ids, "attention_mask": mask})
            out[batch] = res
            start = stop
        return out

    def predict(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Per-head probabilities for cleaned texts."""
        z = self.logits(texts)
        result: dict[str, np.ndarray] = {}
        for h in self.heads:
            part = z[:, h["start"] : h["end"]]
            result[h["name"]] = _softmax(part) if h["kind"] == "softmax" else _sigmoid(part)
        return result


@register("trustdesk.minilm.v1")
def _build() -> Component:
    return MiniLMModel()


class EnsembleModel:
    """MiniLM and the fast tier, averaged per head with weights tuned on the validation splits.

    The two models err differently (sub-word semantics vs exact n-grams), so the average beats both;
    the fast tier adds ~5 % to the MiniLM time. Weights: models/ensemble_v1.json.
    """

    name = "trustdesk.ensemble.v1"

    def __init__(self, *, stem: str = "ensemble_v1") -> None:
        from trustdesk.understand.registry import get

        meta = json.loads((MODELS_DIR / f"{stem}.json").read_text(encoding="utf-8"))
        self.meta = meta
        self._minilm = get("trustdesk.minilm.v1")
        self._fast = get("trustdesk.fast.v1")
        self._weights: dict[str, float] = meta["minilm_weight"]
        base = {h["name"]: dict(h) for h in getattr(self._minilm, "heads", [])}
        for name, threshold in meta.get("thresholds", {}).items():
            base[name]["threshold"] = threshold
        self.heads: list[dict] = list(base.values())

    def predict(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Per-head weighted average of the two components' probabilities."""
        a = self._minilm.predict(texts)
        b = self._fast.predict(texts)
        return {k: self._weights.get(k, 0.5) * a[k] + (1.0 - self._weights.get(k, 0.5)) * b[k] for k in a}


@register("trustdesk.ensemble.v1")
def _build_ensemble() -> Component:
    return EnsembleModel()
