"""Throughput and memory of the understand tiers: ``python -m bench.understand --json``.

Runs ``analyze`` (cleaning, model, rules) on TweetEval validation tweets when the shared data is
there, else on generated customer messages; reports messages/s per tier and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from trustdesk.understand import MessageInput, analyze
from trustdesk.understand.evaluate import _rows, find_data_dir, peak_rss_mb
from trustdesk.understand.registry import TIERS, available, get, resolve_tier
from trustdesk.understand.text import clean


def _texts(n: int) -> list[str]:
    data = find_data_dir()
    if data is not None:
        texts = [r["text"] for r in _rows(data / "tweeteval_sentiment" / "validation.jsonl")]
    else:
        rng = random.Random(1)
        words = [
            "coffee",
            "cold",
            "late",
            "staff",
            "lovely",
            "refund",
            "app",
            "crash",
            "order",
            "thanks",
            "rude",
            "delivery",
            "great",
            "beans",
        ]
        texts = [" ".join(rng.choices(words, k=rng.randint(5, 30))) for _ in range(2000)]
    return (texts * (n // len(texts) + 1))[:n]


def _rate(fn, n: int, seconds: float) -> float:
    fn()  # warm-up: loads models, fills caches
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        done += n
    return round(done / (time.perf_counter() - start), 1)


def main() -> None:
    """Measure every shipped tier and print the numbers."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()
    out: dict[str, object] = {"default_tier": resolve_tier("auto")}
    for tier in TIERS:
        if not available(tier):
            continue
        n = 4000 if tier == "fast" else 1000
        texts = _texts(n)
        items = [MessageInput(text=t) for t in texts]
        cleaned = [clean(t).text for t in texts]
        component = get(TIERS[tier])
        out[tier] = {
            "analyze_msgs_per_s": _rate(
                lambda items=items, tier=tier: analyze(items, tier=tier), n, args.seconds
            ),
            "model_only_msgs_per_s": _rate(lambda c=cleaned, m=component: m.predict(c), n, args.seconds),
            "peak_rss_mb": peak_rss_mb(),
        }
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k}: {v}")


if __name__ == "__main__":
    main()
