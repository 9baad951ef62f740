"""The desk's pages at scale: import N synthetic messages, then time the inbox and conversation pages.

    python -m bench.web --messages 1000000 --json
    python -m bench.web --messages 100000 --db postgresql --json

Data: ``bench.synth`` lines imported through ``run_import`` (shared with ``bench.inbox``). A lead signs
in through the real form; pages are then requested through the whole ASGI app in-process (httpx
ASGITransport, as under uvicorn: security headers, session cookie, permission guard, one transaction,
queries, Jinja rendering) ``--reps`` times after a warm-up. "Server time" is the request's wall time in
this process. The last stdout line is the JSON summary; targets: p95 <= 50 ms for both pages.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from bench.inbox import FILTERED, analyze, atimed, database, import_messages, log, setup_brand
from trustdesk.inbox.models import Conversation
from trustdesk.settings import Settings
from trustdesk.store.db import unit_of_work
from trustdesk.team.users import create_user

PASSWORD = "bench-password-long"
TARGET_MS = 50.0


def _lead(engine: Engine) -> str:
    with unit_of_work(engine) as session:
        user = create_user(
            session=session, email="lead@bench.example", name="Lead", role="lead", password=PASSWORD
        )
        return user.email


async def _time_pages(engine: Engine, email: str, reps: int, seed: int) -> dict[str, Any]:
    import httpx

    from trustdesk.web.app import create_desk_app

    app = create_desk_app(engine, Settings(secret_key="bench-secret-key", env="test"))
    transport = httpx.ASGITransport(app=app)
    rng = random.Random(seed)
    with unit_of_work(engine) as session:
        max_id = session.scalar(select(func.max(Conversation.id))) or 1
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        page = await client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        signed = await client.post(
            "/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
        )
        assert signed.status_code == 303, signed.text[:300]

        async def get(url: str, **params: Any) -> None:
            response = await client.get(url, params=params)
            if response.status_code != 200:
                raise RuntimeError(f"{url} {params} -> {response.status_code} {response.text[:300]}")

        first_rows = (await client.get("/inbox")).text.count('<article class="row')
        log(f"inbox renders {first_rows} rows")

        def conversation() -> Any:
            return get(f"/c/{rng.randint(1, max_id)}")

        filtered = {"channel": FILTERED["channel"][0], "rating": "1"}
        return {
            "inbox_ms": await atimed(lambda: get("/inbox"), reps),
            "inbox_filtered_ms": await atimed(lambda: get("/inbox", **filtered), reps),
            "inbox_unassigned_view_ms": await atimed(lambda: get("/inbox", view="unassigned"), reps),
            "inbox_search_ms": await atimed(lambda: get("/inbox", q="refund"), reps),
            "conversation_ms": await atimed(conversation, reps),
            "inbox_rows": first_rows,
        }


def run(n: int, db: str, seed: int, reps: int) -> dict[str, Any]:
    """Import, then time the pages; returns the summary."""
    with database(db) as engine, tempfile.TemporaryDirectory(prefix="trustdesk-synth-") as tmp:
        setup_brand(engine)
        email = _lead(engine)
        rate = import_messages(engine, n, seed, Path(tmp))
        analyze(engine)
        with unit_of_work(engine) as session:
            conversations = session.scalar(select(func.count()).select_from(Conversation)) or 0
        log(f"{conversations} conversations")
        pages = asyncio.run(_time_pages(engine, email, reps, seed))
    ok = pages["inbox_ms"]["p95"] <= TARGET_MS and pages["conversation_ms"]["p95"] <= TARGET_MS
    return {
        "messages": n,
        "conversations": conversations,
        "db": db,
        "import_per_s": round(rate),
        **pages,
        "target_p95_ms": TARGET_MS,
        "meets_target": ok,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: run and print the JSON summary as the last line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reps", type=int, default=60, help="timed requests per page (>= 50)")
    parser.add_argument("--json", action="store_true", help="print only the JSON summary on stdout")
    args = parser.parse_args(argv)
    result = run(args.messages, args.db, args.seed, max(50, args.reps))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
