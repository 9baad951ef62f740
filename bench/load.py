"""Load test: a real `trustdesk serve` on 127.0.0.1 under C concurrent desk users for S seconds.

    python -m bench.load --messages 200000 --db sqlite --clients 100 --seconds 60 --json
    python -m bench.load --messages 200000 --db postgresql --clients 100 --seconds 60 --json   # 2 workers
    python -m bench.load --messages 200000 --db postgresql --clients 50 --seconds 60 --mix inbox --json

Data: N ``bench.synth`` messages imported with the real importer (``run_import``, as ``bench.inbox`` and
``bench.web`` do) into a temp SQLite file or a fresh schema of the PostgreSQL ``test`` database (dropped
afterwards), analysed with the shipped models (fast tier, as a backfill is), planner statistics
refreshed. Server: ``trustdesk serve`` in a subprocess on a free port of 127.0.0.1 (``--workers``: 1 on
SQLite, 2 on PostgreSQL by default), default settings. Clients: C agents signed in through the real
form (four at a time; each its own cookie jar and keep-alive connection), on one asyncio event loop with httpx in this
process, run back to back (closed loop: a client sends its next request when the last one answered),
for S seconds after all have signed in and warmed up for 5 s. Mixed traffic (``--mix desk``): inbox list 30 %, filters 20 %
(channel + rating, negative sentiment, unassigned, open and waiting), search 10 % (common and rare
words), conversation page 20 %, drafts 10 %, an internal note POSTed with the CSRF token 10 %.
``--mix inbox``: the inbox list only. Errors: any answer other than 200 (303 for the note) and any
transport error or timeout (30 s). The client's and the server's CPU seconds are printed, so the
client's share of the 2 cores is visible. Only 127.0.0.1 is ever contacted.

The last stdout line is ``{"rps", "p50_ms", "p95_ms", "p99_ms", "errors", "clients", "workers", "db"}``;
the line before it has the detail per endpoint.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from bench.inbox import analyze, database, import_messages, log, setup_brand
from trustdesk.inbox.models import Conversation
from trustdesk.store.db import unit_of_work
from trustdesk.team.users import create_user
from trustdesk.worker.analysis import analyze_messages

PASSWORD = "bench-password-long"
HOST = "127.0.0.1"  # never anything else: a load test only ever talks to this machine
AGENTS = 10
WARMUP_SECONDS = 5.0
TIMEOUT_SECONDS = 30.0
SEARCHES = ("refund", '"oat latte"', "Dark Harbour", "subscription", "criroscor", "cardamom stale")
FILTERS: tuple[dict[str, str], ...] = (
    {"channel": "trustpilot", "rating": "1"},
    {"sentiment": "negative"},
    {"view": "unassigned"},
    {"status": "open", "sort": "waiting"},
)
MIXES = {
    "desk": (
        ("inbox", 30),
        ("filter", 20),
        ("search", 10),
        ("conversation", 20),
        ("drafts", 10),
        ("note", 10),
    ),
    "inbox": (("inbox", 100),),
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _users(engine: Engine) -> list[str]:
    emails = []
    with unit_of_work(engine) as session:
        for i in range(AGENTS):
            user = create_user(
                session=session, email=f"agent{i}@bench.example", name=f"Agent {i}", role="agent",
                password=PASSWORD,
            )  # fmt: skip
            emails.append(user.email)
    return emails


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """The server subprocess and its address."""

    process: subprocess.Popen[bytes]
    url: str
    log_path: Path

    def cpu_seconds(self) -> float:
        """User + system CPU of the server and its worker processes so far."""
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        for pid in [self.process.pid, *_children(self.process.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
        return total

    def rss_mb(self) -> dict[str, float]:
        """Resident and peak memory (MB) of each server process."""
        out = {}
        for pid in [self.process.pid, *_children(self.process.pid)]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"resource_tracker" in cmd:
                continue
            values = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            rss = int(values["VmRSS"].split()[0]) / 1024
            peak = int(values["VmHWM"].split()[0]) / 1024
            out[str(pid)] = {"rss": round(rss), "peak": round(peak)}  # type: ignore[assignment]
        return out


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def start_server(database_url: str, workers: int, workdir: Path) -> Server:
    """``trustdesk serve`` on a free local port; returns once /healthz answers 200."""
    import httpx

    port = _free_port()
    env = {**os.environ, "TRUSTDESK_DATABASE_URL": database_url, "TRUSTDESK_ENV": "test",
           "TRUSTDESK_SECRET_KEY": "bench-load-secret-key"}  # fmt: skip
    log_path = workdir / "server.log"
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "trustdesk.cli.main", "serve", "--host", HOST, "--port", str(port),
             "--workers", str(workers)],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=workdir,
        )  # fmt: skip
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited: {log_path.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return Server(process, url, log_path)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("server did not answer /healthz within 120 s")


def stop_server(server: Server) -> None:
    """SIGTERM, then SIGKILL if it does not stop within 30 s; its log is kept in /tmp."""
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    kept = Path(tempfile.gettempdir()) / "trustdesk-load-server.log"
    kept.write_bytes(server.log_path.read_bytes())
    log(f"server log: {kept}")


@dataclass
class Results:
    """Latencies (ms) and errors per endpoint, of the timed window only."""

    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    statuses: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_examples: list[str] = field(default_factory=list)
    marks: dict[str, dict[str, float]] = field(default_factory=dict)
    server: Server | None = None
    profile: str = ""


@dataclass
class Clock:
    """Shared by the clients: they all sign in first, then warm up, then the timed window runs."""

    signed_in: int = 0
    clients: int = 0
    go: asyncio.Event = field(default_factory=asyncio.Event)
    sign_ins: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(4))
    timed_from: float = 0.0
    until: float = 0.0
    seconds: float = 0.0

    def ready(self) -> None:
        """One more client signed in; the last one starts the clock."""
        self.signed_in += 1
        if self.signed_in == self.clients:
            self.timed_from = time.monotonic() + WARMUP_SECONDS
            self.until = self.timed_from + self.seconds
            self.go.set()


async def _client(
    number: int, url: str, email: str, mix: str, max_id: int, clock: Clock, out: Results
) -> None:
    import httpx

    rng = random.Random(number)
    names, weights = zip(*MIXES[mix], strict=True)
    # Idle connections are dropped before the server's 5 s keep-alive would close them under us.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=2.0)
    timeout = httpx.Timeout(TIMEOUT_SECONDS)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as client:
        # People do not all sign in in the same second: four at a time (argon2 is slow on purpose).
        async with clock.sign_ins:
            page = await client.get("/login")
            token = CSRF.search(page.text)
            form = {"email": email, "password": PASSWORD, "csrf_token": token.group(1) if token else ""}
            signed = await client.post("/login", data=form)
        if signed.status_code != 303:
            raise SystemExit(f"sign-in failed: {signed.status_code} {signed.text[:300]}")
        inbox = await client.get("/inbox")
        csrf = CSRF.search(inbox.text)
        headers = {"X-CSRF-Token": csrf.group(1) if csrf else ""}
        clock.ready()
        await clock.go.wait()
        while (now := time.monotonic()) < clock.until:
            kind = rng.choices(names, weights)[0]
            conv = rng.randint(1, max_id)
            expect = 200
            if kind == "inbox":
                call = client.get("/inbox")
            elif kind == "filter":
                call = client.get("/inbox", params=rng.choice(FILTERS))
            elif kind == "search":
                call = client.get("/inbox", params={"q": rng.choice(SEARCHES)})
            elif kind == "conversation":
                call = client.get(f"/c/{conv}")
            elif kind == "drafts":
                call = client.get(f"/c/{conv}/drafts")
            else:
                expect = 303
                call = client.post(
                    f"/c/{conv}/notes", data={"text": f"load test note {number}"}, headers=headers
                )
            status = "error"
            try:
                response = await call
                status = str(response.status_code)
                ok = response.status_code == expect
                detail = f"{kind} {response.status_code} {response.text[:160]!r}"
            except httpx.HTTPError as exc:
                ok, detail = False, f"{kind} {type(exc).__name__}: {exc}"
            elapsed = (time.monotonic() - now) * 1000
            if now < clock.timed_from:
                continue
            out.statuses[status] += 1
            out.samples[kind].append(elapsed)
            if not ok:
                out.errors[kind] += 1
                if len(out.error_examples) < 5:
                    out.error_examples.append(detail)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of ``values``."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


async def drive(
    server: Server, emails: list[str], clients: int, seconds: float, mix: str, max_id: int, profile: str = ""
) -> Results:
    """Run ``clients`` closed-loop clients for the warm-up plus ``seconds``."""
    out = Results(server=server, profile=profile)
    url = server.url
    clock = Clock(clients=clients, seconds=seconds)
    await asyncio.gather(
        *(_client(i, url, emails[i % len(emails)], mix, max_id, clock, out) for i in range(clients)),
        _measure(clock, out),
    )
    return out


async def _measure(clock: Clock, out: Results) -> None:
    """Take the server's and this process's CPU counters at the edges of the timed window."""
    await clock.go.wait()
    await asyncio.sleep(max(0.0, clock.timed_from - time.monotonic()))
    out.marks["start"] = _marks(out)
    spy = None
    if out.profile and out.server:
        # Diagnosis only (py-spy from PyPI, not a dependency): sample the server over the timed window.
        spy = await asyncio.create_subprocess_exec(
            "py-spy", "record", "--pid", str(out.server.process.pid), "--subprocesses", "--duration",
            str(int(clock.seconds)), "--rate", "50", "--format", "raw", "--output", out.profile, "--nonblocking",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
    await asyncio.sleep(max(0.0, clock.until - time.monotonic()))
    out.marks["end"] = _marks(out)
    if spy is not None:
        await spy.wait()


def _marks(out: Results) -> dict[str, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    server = out.server.cpu_seconds() if out.server else 0.0
    return {"client_cpu": usage.ru_utime + usage.ru_stime, "server_cpu": server, "t": time.monotonic()}


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Prepare the data, start the server, drive it; returns the summary (detail printed before)."""
    workers = args.workers or (2 if args.db == "postgresql" else 1)
    with database(args.db) as engine, tempfile.TemporaryDirectory(prefix="trustdesk-load-") as tmp:
        setup_brand(engine)
        emails = _users(engine)
        import_messages(engine, args.messages, args.seed, Path(tmp))
        started = time.perf_counter()
        analysed = 0
        while n := analyze_messages(engine=engine, limit=5000, tier="fast"):
            analysed += n
        log(f"analysed {analysed} messages in {time.perf_counter() - started:.0f} s")
        analyze(engine)
        with unit_of_work(engine) as session:
            max_id = session.scalar(select(func.max(Conversation.id))) or 1
        url = engine.url.render_as_string(hide_password=False)
        engine.dispose()
        server = start_server(url, workers, Path(tmp))
        try:
            log(f"server {server.url}, {workers} worker(s); load average {os.getloadavg()}")
            results = asyncio.run(
                drive(server, emails, args.clients, args.seconds, args.mix, max_id, args.profile)
            )
            start, end = results.marks["start"], results.marks["end"]
            wall = end["t"] - start["t"]
            server_cpu = end["server_cpu"] - start["server_cpu"]
            client_cpu = end["client_cpu"] - start["client_cpu"]
            memory = server.rss_mb()
            load = os.getloadavg()
        finally:
            stop_server(server)
    every = [v for values in results.samples.values() for v in values]
    endpoints = {
        name: {
            "n": len(values),
            "p50_ms": round(percentile(values, 50), 1),
            "p95_ms": round(percentile(values, 95), 1),
            "p99_ms": round(percentile(values, 99), 1),
            "errors": results.errors.get(name, 0),
        }
        for name, values in sorted(results.samples.items())
    }
    detail = {
        "messages": args.messages,
        "mix": args.mix,
        "seconds": round(wall, 1),
        "endpoints": endpoints,
        "statuses": dict(results.statuses),
        "error_examples": results.error_examples,
        "server_cpu_s": round(server_cpu, 1),
        "client_cpu_s": round(client_cpu, 1),
        "server_memory_mb": memory,
        "load_average_after": [round(x, 2) for x in load],
    }
    print(json.dumps(detail), flush=True)
    return {
        "rps": round(len(every) / wall, 1),
        "p50_ms": round(percentile(every, 50), 1),
        "p95_ms": round(percentile(every, 95), 1),
        "p99_ms": round(percentile(every, 99), 1),
        "errors": sum(results.errors.values()),
        "clients": args.clients,
        "workers": workers,
        "db": args.db,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: the JSON summary is the last stdout line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--workers", type=int, default=0, help="server processes (default: 1 SQLite, 2 PostgreSQL)"
    )
    parser.add_argument("--mix", choices=tuple(MIXES), default="desk")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", default="", help="py-spy raw profile of the server to this file")
    parser.add_argument("--json", action="store_true", help="JSON lines only on stdout (progress on stderr)")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 1000 or not 1 <= args.seconds <= 600:
        parser.error("--clients 1..1000 and --seconds 1..600 (a bounded test)")
    summary = run(args)
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
