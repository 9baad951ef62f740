"""Data loading shared by the training scripts: the shared data sets, mapped onto our label sets."""

from __future__ import annotations

import json
import random
from pathlib import Path

from training.intent_templates import generate
from trustdesk.understand.labels import BITEXT_TO_INTENT, GOEMOTIONS
from trustdesk.understand.text import clean_for_training


def read_jsonl(path: Path) -> list[dict]:
    """All rows of a JSONL file."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def single(data: Path, name: str, split: str) -> tuple[list[str], list[str]]:
    """Cleaned texts and single labels of a data set split."""
    rows = read_jsonl(data / name / f"{split}.jsonl")
    return [clean_for_training(r["text"]) for r in rows], [r["label"] for r in rows]


def goemotions(data: Path, split: str) -> tuple[list[str], list[list[int]]]:
    """Cleaned GoEmotions texts with their label indices (multi-label)."""
    rows = read_jsonl(data / "goemotions" / f"{split}.jsonl")
    return [clean_for_training(r["text"]) for r in rows], [
        [GOEMOTIONS.index(x) for x in r["labels"]] for r in rows
    ]


def sentiment_train(data: Path) -> tuple[list[str], list[str]]:
    """TweetEval sentiment train plus the UCI review sentences (review-style polarity)."""
    x, y = single(data, "tweeteval_sentiment", "train")
    ux, uy = single(data, "uci_sentiment_sentences", "train")
    return x + ux, y + uy


def intent_train(data: Path, *, seed: int = 13) -> tuple[list[str], list[str]]:
    """Bitext requests (mapped), UCI review sentences (complaint/praise), templates, neutral tweets."""
    rng = random.Random(seed)
    bx, by = single(data, "bitext_customer_support", "train")
    x = list(bx)
    y = [BITEXT_TO_INTENT[label] for label in by]
    ux, uy = single(data, "uci_sentiment_sentences", "train")
    x += ux
    y += ["complaint" if label == "negative" else "praise" for label in uy]
    for text, intent in generate(per_intent=250, seed=seed):
        x.append(clean_for_training(text))
        y.append(intent)
    sx, sy = single(data, "tweeteval_sentiment", "train")
    neutral = [t for t, label in zip(sx, sy, strict=True) if label == "neutral"]
    x += rng.sample(neutral, 400)
    y += ["other"] * 400
    return x, y
