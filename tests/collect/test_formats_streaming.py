"""Streaming sanity: large line files are read with bounded memory; throughput is printed, not asserted."""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

from trustdesk.collect.formats import count_records, read
from trustdesk.collect.records import ParsedRecord

LINES = 40_000


def _write_jsonl(path: Path, lines: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            obj = {
                "id": f"m-{i}",
                "text": f"The oat latte at Canal Street was lovely but the queue was long ({i})",
                "author": "Sam Patel",
                "rating": i % 5 + 1,
                "created_at": "2026-11-20T08:15:00Z",
                "channel": "google-canal-street",
            }
            out.write(json.dumps(obj) + "\n")


def test_formats_streaming_jsonl_memory_stays_bounded(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    _write_jsonl(path, LINES)
    size = path.stat().st_size
    assert count_records(path) == LINES

    started = time.perf_counter()
    parsed = sum(1 for r in read(path) if isinstance(r, ParsedRecord))
    elapsed = time.perf_counter() - started
    print(f"\njsonl: {parsed / elapsed:,.0f} records/s, {size / elapsed / 1e6:.1f} MB/s")
    assert parsed == LINES

    tracemalloc.start()
    try:
        for _ in read(path):
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size > 4_000_000
    assert peak < 1_000_000, f"peak {peak} bytes: the file is being held in memory"
