"""Train the FAST tier (trustdesk.fast.v1): linear heads over hashed word + char n-grams.

Usage (from the repo root; never run in CI):  python -m training.train_fast --data ../shared/data
Writes src/trustdesk/understand/models/fast_v1.npz and fast_v1.json; prints validation metrics.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, recall_score

from training.common import goemotions, intent_train, read_jsonl, sentiment_train, single
from trustdesk.understand.features import N_FEATURES, featurize, fit_idf
from trustdesk.understand.labels import GOEMOTIONS, TWEET_EMOTIONS
from trustdesk.understand.schemas import INTENTS, SENTIMENTS

MODELS = Path(__file__).resolve().parents[1] / "src" / "trustdesk" / "understand" / "models"


def _fit(
    x, y, c: float, *, balanced: bool = True, weight: np.ndarray | None = None, max_iter: int = 400
) -> LogisticRegression:
    if weight is None:
        clf = LogisticRegression(C=c, max_iter=max_iter, class_weight="balanced" if balanced else None)
        return clf.fit(x, y)
    # per-row weights: "balanced" computed from the weighted class totals
    labels, index = np.unique(np.asarray(y), return_inverse=True)
    totals = np.bincount(index, weights=weight)
    balance = totals.sum() / (len(labels) * totals) if balanced else np.ones(len(labels))
    return LogisticRegression(C=c, max_iter=max_iter).fit(x, y, sample_weight=weight * balance[index])


def _pick(
    xtr, ytr, xva, yva, cs, score, *, balanced: bool = True, weight: np.ndarray | None = None
) -> tuple[LogisticRegression, float, float]:
    """Fit for each C, keep the best on validation (the tuning split)."""
    best = None
    for c in cs:
        clf = _fit(xtr, ytr, c, balanced=balanced, weight=weight)
        s = score(yva, clf.predict(xva))
        print(f"    C={c}: {s:.4f}", flush=True)
        if best is None or s > best[2]:
            best = (clf, c, s)
    assert best is not None
    return best


def main() -> None:
    """Train every head, tune C on validation, write the artefacts."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=MODELS)
    ap.add_argument(
        "--teacher",
        type=Path,
        default=None,
        help="teacher-labelled tweets for the TweetEval emotion head (training/work/teacher_emotion.jsonl)",
    )
    ap.add_argument("--teacher-weight", type=float, default=0.3, help="a teacher-labelled tweet's weight")
    args = ap.parse_args()
    data: Path = args.data
    t0 = time.time()

    sx, sy = sentiment_train(data)
    svx, svy = single(data, "tweeteval_sentiment", "validation")
    ex, ey = single(data, "tweeteval_emotion", "train")
    evx, evy = single(data, "tweeteval_emotion", "validation")
    gx, gy = goemotions(data, "train")
    gvx, gvy = goemotions(data, "validation")
    bin_sets = {}
    for task in ("offensive", "hate", "irony"):
        bin_sets[task] = (
            single(data, f"tweeteval_{task}", "train"),
            single(data, f"tweeteval_{task}", "validation"),
        )
    ix, iy = intent_train(data)

    corpus = sx + ex + gx + ix + [t for (tr, _va) in bin_sets.values() for t in tr[0]]
    idf = fit_idf(corpus)
    f = lambda texts: featurize(texts, idf)  # noqa: E731
    print(f"features fitted ({time.time() - t0:.0f}s)", flush=True)

    heads: list[dict] = []
    columns: list[np.ndarray] = []
    biases: list[np.ndarray] = []
    metrics: dict[str, float] = {}

    def add(name: str, kind: str, labels: list[str], coef: np.ndarray, bias: np.ndarray, **extra) -> None:
        start = sum(c.shape[0] for c in columns)
        columns.append(coef.astype(np.float32))
        biases.append(bias.astype(np.float32))
        heads.append(
            {
                "name": name,
                "kind": kind,
                "labels": labels,
                "start": start,
                "end": start + coef.shape[0],
                **extra,
            }
        )

    print("sentiment", flush=True)
    macro_recall = lambda a, b: recall_score(a, b, average="macro")  # noqa: E731
    clf, c, s = _pick(f(sx), sy, f(svx), svy, [0.5, 1, 2, 4], macro_recall)
    order = [list(clf.classes_).index(label) for label in SENTIMENTS]
    add("sentiment", "softmax", list(SENTIMENTS), clf.coef_[order], clf.intercept_[order], C=c)
    metrics["tweeteval_sentiment_macro_recall"] = s

    print("tweet_emotion", flush=True)
    macro_f1 = lambda a, b: f1_score(a, b, average="macro")  # noqa: E731
    xe, we = f(ex), None
    if args.teacher is not None:
        # the teacher's emotion for tweets of the other TweetEval sets (training.train_teacher label), each
        # at a fraction of a gold tweet's weight; classes balanced by weight, as class_weight does for gold
        seen = set(ex) | set(evx)
        taught = [r for r in read_jsonl(args.teacher) if r["text"] not in seen]
        xe = sparse.vstack([xe, f([r["text"] for r in taught])]).tocsr()
        ey = ey + [TWEET_EMOTIONS[int(np.argmax(r["p"]))] for r in taught]
        we = np.concatenate([np.ones(len(ex)), np.full(len(taught), args.teacher_weight)])
        print(f"    + {len(taught)} teacher-labelled tweets at weight {args.teacher_weight}", flush=True)
    clf, c, s = _pick(xe, ey, f(evx), evy, [1, 2, 4, 8, 16], macro_f1, weight=we)
    order = [list(clf.classes_).index(label) for label in TWEET_EMOTIONS]
    taught_info = (
        {"teacher_tweets": len(ey) - len(ex), "teacher_weight": args.teacher_weight} if we is not None else {}
    )
    add(
        "tweet_emotion",
        "softmax",
        list(TWEET_EMOTIONS),
        clf.coef_[order],
        clf.intercept_[order],
        C=c,
        **taught_info,
    )
    metrics["tweeteval_emotion_macro_f1"] = s

    for task, ((tx, ty), (vx, vy)) in bin_sets.items():
        print(task, flush=True)
        positive = {"offensive": "offensive", "hate": "hate", "irony": "irony"}[task]
        ytr = [int(v == positive) for v in ty]
        yva = [int(v == positive) for v in vy]
        score = (lambda a, b: f1_score(a, b)) if task == "irony" else macro_f1
        clf, c, s = _pick(f(tx), ytr, f(vx), yva, [0.5, 1, 2, 4, 8], score)
        add(task, "sigmoid", [positive], clf.coef_, clf.intercept_, C=c, threshold=0.5)
        metrics[f"tweeteval_{task}_{'irony_f1' if task == 'irony' else 'macro_f1'}"] = s

    print("goemotions", flush=True)
    xg, xgv = f(gx), f(gvx)
    ybin = np.zeros((len(gy), len(GOEMOTIONS)), dtype=np.int8)
    for i, ls in enumerate(gy):
        ybin[i, ls] = 1
    yvbin = np.zeros((len(gvy), len(GOEMOTIONS)), dtype=np.int8)
    for i, ls in enumerate(gvy):
        yvbin[i, ls] = 1
    best = None
    for c in (2.0, 4.0, 8.0):
        coefs, bs, probs = [], [], []
        for j in range(len(GOEMOTIONS)):
            clf = _fit(xg, ybin[:, j], c, balanced=False)
            coefs.append(clf.coef_[0])
            bs.append(clf.intercept_[0])
            probs.append(clf.predict_proba(xgv)[:, 1])
        p = np.stack(probs, axis=1)
        for th in (0.2, 0.25, 0.3, 0.35):
            s = f1_score(yvbin, (p >= th).astype(int), average="macro", zero_division=0)
            print(f"    C={c} th={th}: {s:.4f}", flush=True)
            if best is None or s > best[3]:
                best = (np.stack(coefs), np.array(bs), c, s, th)
    assert best is not None
    add("goemotions", "sigmoid", list(GOEMOTIONS), best[0], best[1], C=best[2], threshold=best[4])
    metrics["goemotions_macro_f1_28"] = best[3]

    print("intent", flush=True)
    # intent has no validation split of its own: tune on Bitext validation (mapped)
    from training.common import BITEXT_TO_INTENT

    bvx, bvy = single(data, "bitext_customer_support", "validation")
    bvy = [BITEXT_TO_INTENT[v] for v in bvy]
    accuracy = lambda a, b: float(np.mean(np.array(a) == np.array(b)))  # noqa: E731
    clf, c, s = _pick(f(ix), iy, f(bvx), bvy, [2, 8], accuracy)
    order = [list(clf.classes_).index(label) for label in INTENTS]
    add("intent", "softmax", list(INTENTS), clf.coef_[order], clf.intercept_[order], C=c)
    metrics["bitext_intent_accuracy"] = s

    weights = np.concatenate(columns, axis=0)  # (n_columns, N_FEATURES)
    scale = np.abs(weights).max(axis=1, keepdims=True) / 127.0
    scale[scale == 0] = 1.0
    q = np.round(weights / scale).astype(np.int8)
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out / "fast_v1.npz", weights_q=q, scale=scale.astype(np.float32).ravel(),
        bias=np.concatenate(biases), idf=idf.astype(np.float16),
    )  # fmt: skip
    meta = {
        "name": "trustdesk.fast.v1",
        "n_features": N_FEATURES,
        "heads": heads,
        "trained": datetime.now(UTC).isoformat(timespec="seconds"),
        "train_metrics_validation": metrics,
    }
    (args.out / "fast_v1.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(metrics, indent=2))
    print(f"done in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
