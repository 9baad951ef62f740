"""Evaluate shipped components on the validation splits of the shared data (``trustdesk eval``)."""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import f1_score, recall_score

from trustdesk.understand.labels import BITEXT_TO_INTENT, GO_TO_EMOTION, GOEMOTIONS, TWEET_EMOTIONS
from trustdesk.understand.pipeline import analyze, emotion_distribution
from trustdesk.understand.registry import Component, get
from trustdesk.understand.schemas import EMOTIONS, INTENTS, SENTIMENTS, MessageInput
from trustdesk.understand.text import clean

EVAL_DATA = Path(__file__).resolve().parent / "eval_data"


def find_data_dir(explicit: Path | None = None) -> Path | None:
    """``explicit``, else ../shared/data from the working directory, else next to the repo root."""
    if explicit is not None:
        return explicit if explicit.is_dir() else None
    candidates = [Path.cwd() / ".." / "shared" / "data", Path.cwd() / "shared" / "data"]
    repo = Path(__file__).resolve().parents[3]  # src/trustdesk/understand -> repo root
    candidates += [repo.parent / "shared" / "data", repo / "shared" / "data"]
    for c in candidates:
        if (c / "README.md").exists():
            return c.resolve()
    return None


def _rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _texts(rows: list[dict[str, Any]]) -> list[str]:
    return [clean(r["text"]).text for r in rows]


def emotions_macro_f1(rows: list[dict], emotions: np.ndarray) -> float:
    """Macro-F1 over our 9 emotions of the top emotion per row (``emotions``: n x 9) against GoEmotions
    ``rows`` (their labels folded by ``GO_TO_EMOTION``; a row can have several)."""
    gold = np.zeros((len(rows), len(EMOTIONS)), dtype=int)
    for i, r in enumerate(rows):
        for label in r["labels"]:
            gold[i, EMOTIONS.index(GO_TO_EMOTION[label])] = 1
    pred = np.zeros_like(gold)
    pred[np.arange(len(rows)), emotions.argmax(1)] = 1
    return float(f1_score(gold, pred, average="macro", zero_division=0))


def _single(c: Component, data: Path, task: str, head: str) -> tuple[np.ndarray, list[str]]:
    rows = _rows(data / task / "validation.jsonl")
    return c.predict(_texts(rows))[head], [r["label"] for r in rows]


def evaluate_component(name: str, data: Path) -> dict[str, float]:
    """Validation metrics of one component (head level, no rules) plus the full pipeline's intent."""
    c = get(name)
    m: dict[str, float] = {}
    p, gold = _single(c, data, "tweeteval_sentiment", "sentiment")
    m["tweeteval_sentiment_macro_recall"] = recall_score(
        gold, [SENTIMENTS[k] for k in p.argmax(1)], average="macro"
    )
    p, gold = _single(c, data, "tweeteval_emotion", "tweet_emotion")
    m["tweeteval_emotion_macro_f1"] = f1_score(
        gold, [TWEET_EMOTIONS[k] for k in p.argmax(1)], average="macro"
    )
    thresholds = {h["name"]: h.get("threshold", 0.5) for h in getattr(c, "heads", [])}
    for task, positive in (("offensive", "offensive"), ("hate", "hate")):
        p, gold = _single(c, data, f"tweeteval_{task}", task)
        pred = (p[:, 0] >= thresholds.get(task, 0.5)).astype(int)
        m[f"tweeteval_{task}_macro_f1"] = f1_score([int(g == positive) for g in gold], pred, average="macro")
    p, gold = _single(c, data, "tweeteval_irony", "irony")
    pred = (p[:, 0] >= thresholds.get("irony", 0.5)).astype(int)
    m["tweeteval_irony_f1_irony"] = f1_score([int(g == "irony") for g in gold], pred)

    rows = _rows(data / "goemotions" / "validation.jsonl")
    pg = c.predict(_texts(rows))["goemotions"]
    y28 = np.zeros((len(rows), len(GOEMOTIONS)), dtype=int)
    for i, r in enumerate(rows):
        for lab in r["labels"]:
            y28[i, GOEMOTIONS.index(lab)] = 1
    th = thresholds.get("goemotions", 0.3)
    m["goemotions_macro_f1_28"] = f1_score(y28, (pg >= th).astype(int), average="macro", zero_division=0)
    m["goemotions_macro_f1_9"] = emotions_macro_f1(rows, emotion_distribution(pg))

    rows = _rows(data / "bitext_customer_support" / "validation.jsonl")
    pi = c.predict(_texts(rows))["intent"]
    m["intent_accuracy_bitext_head"] = float(
        np.mean([INTENTS[k] == BITEXT_TO_INTENT[r["label"]] for k, r in zip(pi.argmax(1), rows, strict=True)])
    )
    rows = _rows(data / "uci_sentiment_sentences" / "validation.jsonl")
    ps = c.predict(_texts(rows))["sentiment"]
    m["uci_review_polarity_accuracy"] = float(
        np.mean(
            [("positive" if p[2] > p[0] else "negative") == r["label"] for p, r in zip(ps, rows, strict=True)]
        )
    )
    return {k: round(float(v), 4) for k, v in m.items()}


def rules_report(tier: str, data: Path) -> dict[str, float]:
    """How the rule-backed flags do: abuse vs OLID, spam and language on real customer tweets."""
    from trustdesk.understand import rules

    m: dict[str, float] = {}
    rows = _rows(data / "tweeteval_offensive" / "validation.jsonl")
    out = analyze([MessageInput(text=r["text"]) for r in rows], tier=tier)
    gold = [int(r["label"] == "offensive") for r in rows]
    lexicon = []
    for r in rows:
        c = clean(r["text"])
        sig = rules.signals(c.raw, c.urls)
        lexicon.append(int(sig.insult or sig.threat))
    m["abusive_flag_precision_vs_olid"] = _precision(gold, [int(a.abusive) for a in out])
    m["abusive_flag_recall_vs_olid"] = _recall(gold, [int(a.abusive) for a in out])
    m["abuse_lexicon_only_precision_vs_olid"] = _precision(gold, lexicon)
    m["abuse_lexicon_only_recall_vs_olid"] = _recall(gold, lexicon)
    # real customer tweets to brands: none is spam, nearly all are English
    customers = [r["text"] for r in _rows(data / "ibm_twitter_customer_care" / "validation.jsonl")]
    out = analyze([MessageInput(text=t) for t in customers], tier=tier)
    m["spam_false_positive_rate_customer_tweets"] = float(np.mean([a.spam for a in out]))
    m["abusive_flag_rate_customer_tweets"] = float(np.mean([a.abusive for a in out]))
    m["language_en_rate_customer_tweets"] = float(np.mean([a.language == "en" for a in out]))
    m["language_und_rate_customer_tweets"] = float(np.mean([a.language == "und" for a in out]))
    # product, restaurant and film reviews: harsh words about a thing, almost never an attack on a person
    reviews = [r["text"] for r in _rows(data / "uci_sentiment_sentences" / "validation.jsonl")]
    out = analyze([MessageInput(text=t) for t in reviews], tier=tier)
    m["abusive_flag_rate_review_sentences"] = float(np.mean([a.abusive for a in out]))
    rows = _rows(data / "tweeteval_irony" / "validation.jsonl")
    cue = [int(rules.sarcasm(r["text"])) for r in rows]
    m["sarcasm_cue_precision_vs_irony"] = _precision([int(r["label"] == "irony") for r in rows], cue)
    m["sarcasm_cue_recall_vs_irony"] = _recall([int(r["label"] == "irony") for r in rows], cue)
    rows = _rows(EVAL_DATA / "bluebird_intents_v1.jsonl")
    out = analyze([MessageInput(text=r["text"]) for r in rows], tier=tier)
    spam_gold = [int(r["label"] == "spam") for r in rows]
    m["spam_recall_bluebird"] = _recall(spam_gold, [int(a.spam) for a in out])
    m["spam_precision_bluebird"] = _precision(spam_gold, [int(a.spam) for a in out])
    return {k: round(v, 4) for k, v in m.items()}


def _precision(gold: list[int], pred: list[int]) -> float:
    hits = sum(1 for g, p in zip(gold, pred, strict=True) if g and p)
    return hits / max(1, sum(pred))


def _recall(gold: list[int], pred: list[int]) -> float:
    hits = sum(1 for g, p in zip(gold, pred, strict=True) if g and p)
    return hits / max(1, sum(gold))


def intent_accuracy_bluebird(tier: str) -> float:
    """Accuracy of the full pipeline (model + rules) on the hand-written Bluebird intent set."""
    rows = _rows(EVAL_DATA / "bluebird_intents_v1.jsonl")
    out = analyze([MessageInput(text=r["text"]) for r in rows], tier=tier)
    return round(float(np.mean([a.intent == r["label"] for a, r in zip(out, rows, strict=True)])), 4)


def throughput(tier: str, texts: list[str], *, seconds: float = 5.0) -> float:
    """Messages per second of ``analyze`` (cleaning, model, rules) on ``texts``, after a warm-up."""
    items = [MessageInput(text=t) for t in texts]
    analyze(items[:64], tier=tier)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        analyze(items, tier=tier)
        done += len(items)
    return round(done / (time.perf_counter() - start), 1)


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def report(*, data: Path | None = None, tiers: list[str] | None = None) -> dict[str, Any] | None:
    """Metrics of every shipped component (or ``tiers``) plus throughput; None when the data is missing."""
    from trustdesk.understand.registry import AUTO_ACCURATE_UP_TO, COMPONENTS, TIERS, available

    folder = find_data_dir(data)
    if folder is None:
        return None
    wanted = [TIERS.get(t, t) for t in tiers] if tiers else list(COMPONENTS)
    chosen = [c for c in wanted if available(c)]
    bench_texts = _texts(_rows(folder / "tweeteval_sentiment" / "validation.jsonl"))
    out: dict[str, Any] = {"data": str(folder), "tiers": {}}
    for name in chosen:
        aliases = [t for t, c in TIERS.items() if c == name]
        m: dict[str, Any] = {"tier": aliases[0] if aliases else "-"}
        m.update(evaluate_component(name, folder))
        m["intent_accuracy_bluebird_pipeline"] = intent_accuracy_bluebird(name)
        m.update(rules_report(name, folder))
        fast = name == TIERS["fast"]
        m["throughput_msgs_per_s"] = throughput(name, bench_texts if fast else bench_texts[:1000])
        m["peak_rss_mb_so_far"] = peak_rss_mb()
        out["tiers"][name] = m
    out["default_tier"] = f"auto: accurate up to {AUTO_ACCURATE_UP_TO} messages a job, fast beyond"
    return out
