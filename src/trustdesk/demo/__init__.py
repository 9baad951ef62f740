"""The Bluebird Coffee Co. demo: brand description and a few hundred hand-written messages.

Pure file helpers only; importing into the database goes through the normal ingestion path.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

RATING_CHANNEL_KINDS: frozenset[str] = frozenset(
    {"google_business", "google_play", "app_store", "trustpilot"}
)


def demo_dir() -> Path:
    """Return the folder holding ``brand.yaml`` and ``messages.jsonl``."""
    return Path(__file__).resolve().parent


def load_brand() -> dict[str, Any]:
    """Return the demo brand (channels, users, SLA targets, business hours) parsed from YAML."""
    with (demo_dir() / "brand.yaml").open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    if not isinstance(data, dict):  # a broken package file should fail loudly, not half-load
        raise ValueError("demo brand.yaml does not hold a mapping")
    return data


def messages_path() -> Path:
    """Return the path of the demo messages in the generic JSONL import schema."""
    return demo_dir() / "messages.jsonl"


def _parse_utc(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"naive timestamp in demo data: {value!r}")
    return parsed.astimezone(UTC)


def _format_utc(value: datetime) -> str:
    # Microseconds only appear when ``now`` has them, so the newest message is exactly ``now``.
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def shifted_messages(now: datetime) -> Iterator[dict[str, Any]]:
    """Yield the demo messages with ``created_at`` moved so the newest one is ``now`` (spacing kept)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    # split on "\n" only: str.splitlines would also break inside texts holding U+2028.
    lines = messages_path().read_text(encoding="utf-8").split("\n")
    records = [json.loads(line) for line in lines if line.strip()]
    if not records:
        return
    newest = max(_parse_utc(r["created_at"]) for r in records)
    delta = now.astimezone(UTC) - newest
    for record in records:
        moved = dict(record)
        moved["created_at"] = _format_utc(_parse_utc(record["created_at"]) + delta)
        yield moved
