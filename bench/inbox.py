"""Inbox at scale: import N synthetic messages, then time the list, a deep page, a filter, search, one fetch.

    python -m bench.inbox --messages 100000 --db sqlite --json
    python -m bench.inbox --messages 1000000 --db postgresql --json

Data: ``bench.synth`` (seeded generic JSONL) written to a temp file, imported through the real
``trustdesk.collect.imports.run_import`` (parsing included in the import rate). Databases: SQLite in a
temp file, or PostgreSQL in a fresh schema of the ``test`` database (dropped afterwards).

Reads are timed through the ASGI app in-process (httpx ASGITransport on one event loop, sync handlers
in the threadpool as under uvicorn: routing, token auth, one transaction, queries, JSON), ``--reps``
times each after a warm-up; the same operations through the service functions alone (one
unit_of_work each, ORM objects, no JSON) are printed on an earlier line. The deep page starts from a
cursor 90% of the way down the inbox (the same cursor a client walking there would hold). The last
stdout line is the JSON summary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text

from bench.synth import DEFAULT_CHANNELS, iter_lines
from trustdesk.collect.formats import read
from trustdesk.collect.imports import run_import
from trustdesk.inbox.channels import create_brand, create_channel
from trustdesk.inbox.cursor import encode_cursor
from trustdesk.inbox.models import Channel, Conversation
from trustdesk.inbox.query import ConversationFilter, get_conversation, list_conversations, list_statement
from trustdesk.inbox.search import search_messages
from trustdesk.store import migrate
from trustdesk.store.db import make_engine, unit_of_work
from trustdesk.team.models import User
from trustdesk.team.tokens import create_token

POSTGRES_URL = os.environ.get(
    "TRUSTDESK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
KINDS = {
    "google-canal-street": "google_business",
    "google-old-town": "google_business",
    "google-riverside": "google_business",
    "play-store": "google_play",
    "app-store": "app_store",
    "facebook": "facebook",
    "x": "x",
    "trustpilot": "trustpilot",
    "email": "email",
    "website": "website",
    "webhook": "webhook",
}
# From "in every other message" to "in a handful": common word, phrase, product, order number prefix.
SEARCH_TERMS = ("refund", '"oat latte"', "Dark Harbour", "cardamom bun stale", "subscription", "criroscor")
# "Unhappy open Trustpilot reviews": one channel, a rating filter, highest priority first.
FILTERED: dict[str, Any] = {"channel": ["trustpilot"], "rating": [1.0, 2.0], "status": ["open"]}
FILTERED_FILTER = ConversationFilter(channel=["trustpilot"], rating=[1.0, 2.0], status=["open"])


def log(message: str) -> None:
    """Progress on stderr, so stdout stays machine-readable."""
    print(message, file=sys.stderr, flush=True)


@contextmanager
def database(kind: str) -> Iterator[Engine]:
    """A migrated, empty database that is removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="trustdesk-bench-") as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
            migrate.upgrade(engine)
            yield engine
            engine.dispose()
        return
    schema = f"bench_inbox_{os.getpid()}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
    try:
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def setup_brand(engine: Engine) -> str:
    """The Bluebird brand with every synthetic channel, and an API token for a viewer."""
    with unit_of_work(engine) as session:
        brand = create_brand(session=session, slug="bluebird", name="Bluebird Coffee Co.")
        for name in DEFAULT_CHANNELS:
            create_channel(session=session, brand_id=brand.id, name=name, kind=KINDS.get(name, "website"))
        user = User(email="bench@bluebirdcoffee.example", name="Bench", role="viewer")
        session.add(user)
        session.flush()
        _, plaintext = create_token(session=session, user_id=user.id, name="bench")
    return plaintext


def import_messages(engine: Engine, n: int, seed: int, workdir: Path) -> float:
    """Write N synthetic lines, import them with run_import; messages per second (parsing included)."""
    path = workdir / "synth.jsonl"
    with path.open("w", encoding="utf-8") as out:
        out.writelines(iter_lines(n, seed=seed))
    log(f"generated {n} lines ({path.stat().st_size / 1e6:.0f} MB); importing…")
    started = time.perf_counter()
    last = [started]

    def progress(report: Any) -> None:
        now = time.perf_counter()
        if now - last[0] > 30:
            last[0] = now
            log(f"  … {now - started:.0f} s")

    report = run_import(
        engine=engine, channel_name="website", records=read(path), source=str(path), on_batch=progress
    )
    elapsed = time.perf_counter() - started
    path.unlink()
    log(
        f"imported new={report.new} dup={report.duplicates} rejected={len(report.rejected)} in {elapsed:.1f} s"
    )
    if report.new + report.duplicates + len(report.rejected) != n:
        raise SystemExit(f"import lost records: {report.summary()}")
    return n / elapsed


def analyze(engine: Engine) -> None:
    """Refresh planner statistics, as autovacuum / PRAGMA optimize would shortly after a big import."""
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def timed(fn: Callable[[], Any], reps: int, warmup: int = 3) -> dict[str, float]:
    """min / median / p95 in milliseconds of ``reps`` calls after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return _summary(samples)


async def atimed(fn: Callable[[], Awaitable[Any]], reps: int, warmup: int = 3) -> dict[str, float]:
    """``timed`` for coroutines."""
    for _ in range(warmup):
        await fn()
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return _summary(samples)


def _summary(samples: list[float]) -> dict[str, float]:
    samples.sort()
    p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples)) - 1))]
    return {"min": round(samples[0], 2), "median": round(statistics.median(samples), 2), "p95": round(p95, 2)}


def deep_cursor(engine: Engine, fraction: float = 0.9) -> str:
    """The cursor a client would hold after paging ``fraction`` of the way down the priority inbox."""
    with unit_of_work(engine) as session:
        total = session.scalar(select(func.count()).select_from(Conversation)) or 0
        row = session.execute(
            select(Conversation.priority, Conversation.id)
            .order_by(Conversation.priority.desc(), Conversation.id.desc())
            .offset(int(total * fraction))
            .limit(1)
        ).one()
    return encode_cursor("conversations:priority", [row.priority, row.id])


def explain(engine: Engine) -> dict[str, str]:
    """Query plans of the first-page list queries at this size (to check they walk an index)."""
    plans = {}
    with unit_of_work(engine) as session:
        dialect = session.get_bind().dialect.name
        prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
        for name, filters in (("list", ConversationFilter()), ("filtered", FILTERED_FILTER)):
            stmt = list_statement(session=session, filters=filters, sort="priority")
            sql = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
            rows = session.execute(text(prefix + sql)).all()
            plans[name] = " | ".join(" ".join(str(c) for c in r) for r in rows)
    return plans


def run(n: int, db: str, seed: int, reps: int) -> dict[str, Any]:
    """The whole benchmark on one database; returns the summary."""
    with database(db) as engine, tempfile.TemporaryDirectory(prefix="trustdesk-synth-") as tmp:
        token = setup_brand(engine)
        import_rate = import_messages(engine, n, seed, Path(tmp))
        analyze(engine)
        with unit_of_work(engine) as session:
            conversations = session.scalar(select(func.count()).select_from(Conversation)) or 0
            max_id = session.scalar(select(func.max(Conversation.id))) or 1
            channels = {c.name: c.id for c in session.scalars(select(Channel))}
        log(f"{conversations} conversations; channels {len(channels)}")
        cursor = deep_cursor(engine)
        plans = explain(engine)
        for name, plan in plans.items():
            log(f"plan {name}: {plan}")
        rng = random.Random(seed)
        terms = iter(SEARCH_TERMS * (reps + 10))

        service = _time_service(engine, cursor, reps, rng, max_id, terms)
        print(json.dumps({"via": "service", **service}), flush=True)
        log(f"load average before the API reads: {os.getloadavg()}")

        api = asyncio.run(_time_api(engine, token, cursor, reps, rng, max_id, terms))
        log(f"load average after: {os.getloadavg()} (2 cores, shared with other work)")
        return {
            "messages": n,
            "db": db,
            "import_per_s": round(import_rate),
            **api,
        } | {"_conversations": conversations, "_plans": plans}


async def _time_api(
    engine: Engine, token: str, cursor: str, reps: int, rng: random.Random, max_id: int, terms: Iterator[str]
) -> dict[str, Any]:
    """The reads through the ASGI app in this process: one event loop, sync handlers in the threadpool."""
    import httpx

    from trustdesk.api.app import create_app

    transport = httpx.ASGITransport(app=create_app(engine=engine))
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", headers=headers) as client:

        async def get(url: str, **params: Any) -> None:
            response = await client.get(url, params=params)
            if response.status_code != 200:
                raise RuntimeError(f"{url} {params} -> {response.status_code} {response.text[:300]}")

        def conversation() -> Any:
            return get(f"/api/v1/conversations/{_existing_id(engine, rng, max_id)}")

        return {
            "list_first_page_ms": await atimed(lambda: get("/api/v1/conversations", limit=50), reps),
            "list_deep_page_ms": await atimed(
                lambda: get("/api/v1/conversations", limit=50, cursor=cursor), reps
            ),
            "filtered_list_ms": await atimed(
                lambda: get("/api/v1/conversations", limit=50, **FILTERED), reps
            ),
            "search_ms": await atimed(lambda: get("/api/v1/messages/search", q=next(terms), limit=50), reps),
            "conversation_ms": await atimed(conversation, reps),
        }


def _existing_id(engine: Engine, rng: random.Random, max_id: int) -> int:
    # Ids are dense (one import, no deletes), so a random id in range is an existing conversation.
    return rng.randint(1, max_id)


def _time_service(
    engine: Engine, cursor: str, reps: int, rng: random.Random, max_id: int, terms: Iterator[str]
) -> dict[str, Any]:
    def list_page(**kwargs: Any) -> None:
        with unit_of_work(engine) as session:
            list_conversations(session=session, limit=50, **kwargs)

    def search() -> None:
        with unit_of_work(engine) as session:
            search_messages(session=session, query=next(terms), limit=50)

    def fetch() -> None:
        with unit_of_work(engine) as session:
            assert get_conversation(session=session, conversation_id=rng.randint(1, max_id)) is not None

    return {
        "list_first_page_ms": timed(lambda: list_page(filters=ConversationFilter()), reps),
        "list_deep_page_ms": timed(lambda: list_page(filters=ConversationFilter(), cursor=cursor), reps),
        "filtered_list_ms": timed(lambda: list_page(filters=FILTERED_FILTER), reps),
        "search_ms": timed(search, reps),
        "conversation_ms": timed(fetch, reps),
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: run and print the summary (the last line is the JSON result)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reps", type=int, default=60, help="timed repetitions per operation (>= 50)")
    parser.add_argument("--json", action="store_true", help="print the JSON summary (always the last line)")
    args = parser.parse_args(argv)
    result = run(args.messages, args.db, args.seed, max(args.reps, 1))
    extras = {k: result.pop(k) for k in list(result) if k.startswith("_")}
    if not args.json:
        log(json.dumps(extras, indent=2))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
