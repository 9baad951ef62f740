"""Archive retrieval at scale: build time, query latency and memory with 10,000 and 33,299 real brand replies.

Each archive is a fresh SQLite database holding N conversations, each one customer message and the brand's
reply, from ``../shared/data/twcs_brand_replies`` (real replies by care teams; CC BY-NC-SA 4.0, read here,
never shipped). That set has no customer tweets, so each reply's own text stands in for the message it
answered: this measures speed and memory, not how good the matches are. Queries are the customer tweets of
``twcs_pairs`` (validation).

Reported per size: ``embed_s`` (``embed_all_pending``: every reply's answered message embedded and stored,
done once, then incrementally by the desk's tick), ``load_ms`` (the first ``archive_index`` in a fresh
process: vectors read from the database into one float16 matrix plus the lexical index), the index's
memory, and per query p50/p95 of ``search_ms`` (embedding + matrix product + lexical) and
``suggestions_ms`` (the whole ``archive.suggestions``: de-identification and the reply checker included).
``draft_ms``: what a draft costs with retrieval: ``respond.draft`` plus knowledge ``answering`` plus archive
``suggestions``, the message's analysis done beforehand (as ``bench.replies`` measures drafts); its
``_cpu_ms`` twin is the process's CPU time for the same work (all threads), which other processes on the
machine do not inflate, and ``load_average`` says how busy the machine was.

    python -m bench.archive --json [--sizes 10000,33299] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _build(path: Path, replies: list[str]) -> tuple[object, int]:
    from trustdesk.inbox.models import Brand, Channel, Conversation, Message
    from trustdesk.store import migrate
    from trustdesk.store.db import make_engine, unit_of_work

    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with unit_of_work(engine) as s:
        brand = Brand(slug="bench", name="Bench", settings={})
        s.add(brand)
        s.flush()
        channel = Channel(brand_id=brand.id, name="x", kind="x", display_name="X", config={})
        s.add(channel)
        s.flush()
        brand_id, channel_id = brand.id, channel.id
        s.execute(insert(Conversation), [
            {"id": i + 1, "brand_id": brand_id, "channel_id": channel_id, "status": "resolved", "priority": 0.0,
             "subject": "", "first_message_at": start + timedelta(minutes=i), "last_message_at": start + timedelta(minutes=i),
             "message_count": 2, "is_public": True, "spam": False, "created_at": start}
            for i in range(len(replies))
        ])  # fmt: skip
        rows = []
        for i, text in enumerate(replies):
            at = start + timedelta(minutes=i)
            common = {"conversation_id": i + 1, "channel_id": channel_id, "kind": "comment", "title": None,
                      "is_public": True, "received_at": at, "raw": {}}  # fmt: skip
            rows.append({**common, "id": 2 * i + 1, "platform_id": f"in-{i}", "direction": "inbound", "text": text,
                         "author_name": f"Customer {i}", "created_at": at})  # fmt: skip
            rows.append({**common, "id": 2 * i + 2, "platform_id": f"out-{i}", "direction": "outbound", "text": text,
                         "author_name": "", "parent_id": 2 * i + 1, "created_at": at + timedelta(seconds=30)})  # fmt: skip
        s.execute(insert(Message), rows)
    return engine, brand_id


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(size: int, replies: list[str], queries: list[str], workdir: Path) -> dict:
    """One archive of ``size`` replies: build, load, query."""
    from trustdesk.demo import demo_dir
    from trustdesk.knowledge import archive, load_knowledge, with_knowledge
    from trustdesk.respond import draft, load_playbook
    from trustdesk.store.db import unit_of_work
    from trustdesk.understand import MessageInput, analyze

    path = workdir / f"archive-{size}.db"
    if path.exists():
        from trustdesk.store.db import make_engine

        engine, brand_id = make_engine(f"sqlite:///{path}"), 1  # kept by --workdir: embedded already
    else:
        engine, brand_id = _build(path, replies[:size])
    t0 = time.perf_counter()
    embedded = archive.embed_all_pending(engine=engine)  # type: ignore[arg-type]
    embed_s = time.perf_counter() - t0
    archive._CACHE.clear()
    rss_before = _rss_mb()
    with unit_of_work(engine) as s:  # type: ignore[arg-type]
        t0 = time.perf_counter()
        index = archive.archive_index(session=s, brand_id=brand_id)
        load_ms = (time.perf_counter() - t0) * 1000
    matrix_mb = index.vectors.nbytes / 2**20
    playbook = load_playbook("bluebird")
    knowledge = load_knowledge(demo_dir() / "knowledge.md")
    analyses = analyze([MessageInput(text=q, channel="x") for q in queries])
    search_ms, suggest_ms, draft_ms, draft_cpu_ms = [], [], [], []
    from trustdesk.knowledge.index import embed_one
    from trustdesk.understand import embed

    with unit_of_work(engine) as s:  # type: ignore[arg-type]
        for text, analysis in zip(queries, analyses, strict=True):
            t0 = time.perf_counter()
            index.search(embed([text])[0], text, limit=12)
            search_ms.append((time.perf_counter() - t0) * 1000)
            embed_one.cache_clear()
            t0 = time.perf_counter()
            archive.suggestions(session=s, brand_id=brand_id, text=text, playbook=playbook, channel="x",
                                analysis=analysis)  # fmt: skip
            suggest_ms.append((time.perf_counter() - t0) * 1000)
            embed_one.cache_clear()  # a draft pays for its message's embedding once: not a cached one
            t0, c0 = time.perf_counter(), time.process_time()
            answers = knowledge.answering(text)
            checked = with_knowledge(playbook, answers)
            archive.suggestions(session=s, brand_id=brand_id, text=text, playbook=checked, channel="x",
                                analysis=analysis)  # fmt: skip
            draft(text=text, analysis=analysis, playbook=checked, channel="x")
            draft_ms.append((time.perf_counter() - t0) * 1000)
            draft_cpu_ms.append((time.process_time() - c0) * 1000)

    def pct(values: list[float]) -> dict[str, float]:
        return {
            "p50": round(float(np.percentile(values, 50)), 2),
            "p95": round(float(np.percentile(values, 95)), 2),
        }

    return {
        "replies": size,
        "embedded": embedded,
        "embed_s": round(embed_s, 1),
        "load_ms": round(load_ms, 1),
        "matrix_mb": round(matrix_mb, 1),
        "process_peak_rss_mb_after_load": round(max(_rss_mb(), rss_before), 1),
        "search_ms": pct(search_ms),
        "suggestions_ms": pct(suggest_ms),
        "draft_with_retrieval_ms": pct(draft_ms),
        "draft_with_retrieval_cpu_ms": pct(draft_cpu_ms),
    }


def main() -> None:
    """Measure each size and print JSON."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--sizes", default="10000,33299")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--json", action="store_true", help="one line of JSON")
    ap.add_argument("--workdir", type=Path, help="keep the databases here and reuse them (embed_s is then 0)")
    args = ap.parse_args()
    rows = [
        json.loads(line) for line in (args.data / "twcs_brand_replies" / "train.jsonl").open(encoding="utf-8")
    ]
    replies = [r["reply"] for r in rows if r.get("reply")]
    pairs = [
        json.loads(line) for line in (args.data / "twcs_pairs" / "validation.jsonl").open(encoding="utf-8")
    ]
    queries = [p["text"] for p in pairs if p.get("text")][: args.queries]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for size in (int(s) for s in args.sizes.split(",")):
            results.append(measure(min(size, len(replies)), replies, queries, workdir))
    out = {"queries": len(queries), "load_average": [round(x, 1) for x in os.getloadavg()], "sizes": results}
    print(json.dumps(out, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
