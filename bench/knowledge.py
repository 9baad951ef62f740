"""Knowledge retrieval on labelled Bluebird questions: top-1, false answers, and how the knobs were chosen.

``bench/data/knowledge_questions.jsonl`` holds 157 messages (demo messages and hand-written ones), each with
the demo knowledge-base entries that answer it (``expected``; empty: nothing in the base does) and a split:
``tune`` chooses the weights and the threshold, ``test`` only reports. For each lexical weight and context
weight on a grid, the threshold is the highest score an unanswerable ``tune`` message reaches, plus a
margin (so no message without an answer gets one); the pair with the most messages answered by their right
entry on ``tune`` wins, then the best top-1. The shipped constants are in ``trustdesk.knowledge.index``; this prints what the tune half
chooses and how the shipped ones do on both halves.

    python -m bench.knowledge --json
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np

from trustdesk.demo import demo_dir
from trustdesk.knowledge import index as kindex
from trustdesk.knowledge.formats import read_file
from trustdesk.knowledge.index import KnowledgeIndex

DATA = Path(__file__).parent / "data" / "knowledge_questions.jsonl"
MARGIN = 0.02
"""Added to the highest score of an unanswerable tune message (then rounded up to 0.01), so the threshold
is not fitted to the last digit."""


def _rows() -> list[dict]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(signals: list, rows: list[dict], slugs: list[str], weight: float, threshold: float) -> dict:
    """Top-1 over answerable messages; answers given to unanswerable ones and wrong ones, at ``threshold``."""
    top1 = answered = false = wrong = answerable = unanswerable = 0
    errors = []
    for (semantic, lexical), row in zip(signals, rows, strict=True):
        score = semantic + weight * lexical
        best = int(np.argmax(score))
        right = slugs[best] in row["expected"]
        above = score[best] >= threshold
        if row["expected"]:
            answerable += 1
            top1 += right
            answered += right and above
        else:
            unanswerable += 1
        if above and not right:
            false += not row["expected"]
            wrong += bool(row["expected"])
            errors.append({"text": row["text"][:80], "got": slugs[best], "score": round(float(score[best]), 3),
                           "expected": row["expected"]})  # fmt: skip
    return {
        "answerable": answerable,
        "unanswerable": unanswerable,
        "top1": round(top1 / max(answerable, 1), 4),
        "answered_correctly": round(answered / max(answerable, 1), 4),
        "false_answers_unanswerable": false,
        "wrong_entry_above_threshold": wrong,
        "examples": errors[:10],
    }


def main() -> None:
    """Measure and print JSON."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true", help="print JSON only")
    args = ap.parse_args()
    parsed = read_file(demo_dir() / "knowledge.md")
    entries = [e for _, e in parsed.entries]
    start = time.perf_counter()
    index = KnowledgeIndex(entries)
    build_ms = (time.perf_counter() - start) * 1000
    slugs = [e.slug for e in entries]
    rows = _rows()
    halves = {name: [r for r in rows if r["split"] == name] for name in ("tune", "test")}
    grid = []
    for context_weight in (0.5, 0.7, 0.9):
        signals = {
            name: [index.signals(r["text"], thread=r.get("thread", ()), context_weight=context_weight)[:2]
                   for r in half]
            for name, half in halves.items()
        }  # fmt: skip
        for weight in np.round(np.arange(0.3, 1.25, 0.1), 2):
            false_scores = [
                float(np.max(semantic + weight * lexical))
                for (semantic, lexical), row in zip(signals["tune"], halves["tune"], strict=True)
                if not row["expected"]
            ]
            threshold = math.ceil((max(false_scores, default=0.0) + MARGIN) * 100) / 100
            tune = evaluate(signals["tune"], halves["tune"], slugs, float(weight), threshold)
            grid.append({"lexical_weight": float(weight), "context_weight": context_weight,
                         "threshold": threshold, "tune_answered_correctly": tune["answered_correctly"],
                         "tune_top1": tune["top1"]})  # fmt: skip
    best = max(grid, key=lambda g: (g["tune_answered_correctly"], g["tune_top1"]))
    shipped = {}
    latencies = []
    kindex.embed_one.cache_clear()  # the grid embedded these messages already: time them afresh
    for name, half in halves.items():
        signals = []
        for r in half:
            t0 = time.perf_counter()
            signals.append(index.signals(r["text"], thread=r.get("thread", ()))[:2])
            latencies.append(time.perf_counter() - t0)
        shipped[name] = evaluate(signals, half, slugs, kindex.LEXICAL_WEIGHT, kindex.ANSWER_THRESHOLD)
    result = {
        "entries": len(entries),
        "messages": len(rows),
        "build_ms": round(build_ms, 1),
        "query_ms_p50": round(float(np.percentile(latencies, 50)) * 1000, 2),
        "query_ms_p95": round(float(np.percentile(latencies, 95)) * 1000, 2),
        "chosen_on_tune": best,
        "shipped": {
            "lexical_weight": kindex.LEXICAL_WEIGHT,
            "context_weight": kindex.CONTEXT_WEIGHT,
            "threshold": kindex.ANSWER_THRESHOLD,
            **shipped,
        },
        "grid": sorted(grid, key=lambda g: -g["tune_answered_correctly"])[:10],
    }
    print(json.dumps(result, indent=None if args.json else 2, ensure_ascii=False))


if __name__ == "__main__":
    main()
