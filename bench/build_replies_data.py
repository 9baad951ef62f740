"""Rebuild bench/data/replies_eval.jsonl, the evaluation set of bench/replies.py (run once; output committed).

Sources (validation splits only; small excerpts for evaluation, never shipped in the package):
the demo brand's hand-written messages, UCI review sentences, IBM customer-care tweets, Bitext requests,
TweetEval sentiment, and bench/data/replies_written.jsonl (edge cases written for this benchmark).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path("/work/shared/data")
OUT = ROOT / "bench" / "data" / "replies_eval.jsonl"


def _read(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _row(ident: str, text: str, channel: str, playbook: str, source: str, **extra: Any) -> dict[str, Any]:
    return {"id": ident, "text": text, "channel": channel, "playbook": playbook, "source": source, **extra}


def build() -> list[dict[str, Any]]:
    """All evaluation rows, in a fixed order."""
    rng = random.Random(7)
    rows: list[dict[str, Any]] = []
    demo = [r for r in _read(ROOT / "src/trustdesk/demo/messages.jsonl") if r.get("direction") == "inbound"]
    for r in sorted(rng.sample(demo, 170), key=lambda r: r["id"]):
        rows.append(_row(r["id"], r["text"], r["channel"], "bluebird", "demo", author=r.get("author"),
                         rating=r.get("rating")))  # fmt: skip
    uci = _read(SHARED / "uci_sentiment_sentences/validation.jsonl")
    for source, playbook, channels, n in (
        ("yelp", "bluebird", ["google-canal-street", "google-old-town", "google-riverside", "yelp"], 30),
        ("amazon", "fernway", ["trustpilot", "website", "google-play", "app-store"], 20),
    ):
        for label in ("positive", "negative"):
            picked = [r for r in uci if r["source"] == source and r["label"] == label][:n]
            for i, r in enumerate(picked):
                rows.append(_row(r["id"], r["text"], channels[i % len(channels)], playbook, f"uci-{source}",
                                 gold_sentiment=label))  # fmt: skip
    for r in _read(SHARED / "ibm_twitter_customer_care/validation.jsonl")[:40]:
        rows.append(_row(f"ibm-{r['id']}", r["text"], "x", "default", "ibm-twitter"))
    bitext = _read(SHARED / "bitext_customer_support/validation.jsonl")
    channels = ["email", "website", "webhook", "facebook"]
    for i, r in enumerate(rng.sample(bitext, 40)):
        rows.append(_row(r["id"], r["text"], channels[i % 4], "fernway", "bitext", gold_intent=r["label"]))
    tweets = _read(SHARED / "tweeteval_sentiment/validation.jsonl")
    for i, r in enumerate(rng.sample(tweets, 20)):
        rows.append(_row(r["id"], r["text"], ["x", "facebook"][i % 2], "default", "tweeteval",
                         gold_sentiment=r["label"]))  # fmt: skip
    for r in _read(ROOT / "bench/data/replies_written.jsonl"):
        rows.append({**r, "source": "written"})
    return rows


def main() -> None:
    rows = build()
    with OUT.open("w", encoding="utf-8") as handle:
        for r in rows:
            handle.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(rows)} rows -> {OUT}")


if __name__ == "__main__":
    main()
