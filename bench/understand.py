"""Throughput and memory of the understand tiers: ``python -m bench.understand --json``.

Runs ``analyze`` (cleaning, model, rules) on TweetEval validation tweets when the shared data is
there, else on generated customer messages; reports messages/s per tier and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable

from trustdesk.understand import MessageInput, analyze
from trustdesk.understand.evaluate import _rows, find_data_dir, peak_rss_mb
from trustdesk.understand.registry import COMPONENTS, TIERS, available, get, resolve_tier
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


def _rate(fn: Callable[[], object], n: int, seconds: float) -> float:
    fn()  # warm-up: loads models, fills caches
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        done += n
    return round(done / (time.perf_counter() - start), 1)


def measure(name: str, seconds: float) -> dict[str, float]:
    """Throughput of ``analyze`` and of the bare model, and this process's peak memory."""
    fast = name == TIERS["fast"]
    n = 4000 if fast else 1000
    texts = _texts(n)
    items = [MessageInput(text=t) for t in texts]
    cleaned = [clean(t).text for t in texts]
    component = get(name)
    out = {
        "analyze_msgs_per_s": _rate(lambda: analyze(items, tier=name), n, seconds),
        "model_only_msgs_per_s": _rate(lambda: component.predict(cleaned), n, seconds),
        "peak_rss_mb": peak_rss_mb(),
    }
    if fast:
        # the fast tier as bulk analysis runs it on this machine: one worker process per core
        # (`trustdesk analyze --workers 2`, two Dramatiq workers), forked after the model is loaded
        import multiprocessing

        cores = os.cpu_count() or 1
        with multiprocessing.get_context("fork").Pool(cores) as pool:
            rates = pool.map(_analyze_rate, [(items, name, seconds)] * cores)
        out[f"analyze_msgs_per_s_{cores}_processes"] = round(sum(rates), 1)
    return out


def _analyze_rate(job: tuple[list[MessageInput], str, float]) -> float:
    items, name, seconds = job
    return _rate(lambda: analyze(items, tier=name), len(items), seconds)


def main() -> None:
    """Measure every shipped component, each in a fresh process (so memory is its own)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--component", help="measure only this one, in this process")
    args = ap.parse_args()
    if args.component:
        print(json.dumps(measure(args.component, args.seconds)))
        return
    # the machine is shared: the 1-minute load average before the runs says how busy it was
    out: dict[str, object] = {
        # what `auto` picks for a live job (one message) and for a backfill (a million)
        "auto": {"live": resolve_tier("auto", count=1), "backfill": resolve_tier("auto", count=1_000_000)},
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    for name in COMPONENTS:
        if not available(name):
            continue
        cmd = [sys.executable, "-m", "bench.understand", "--component", name, "--seconds", str(args.seconds)]
        res = subprocess.run(cmd, capture_output=True, text=True, check=True)
        out[name] = json.loads(res.stdout.strip().splitlines()[-1])
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k}: {v}")


if __name__ == "__main__":
    main()
