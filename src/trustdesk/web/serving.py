"""Running the desk under uvicorn: one process, or a supervisor with N worker processes.

With ``workers > 1`` uvicorn's supervisor starts (spawns) the workers, restarts one that dies, and runs
the desk's background jobs itself — exactly once, whatever N is; the workers only answer requests.
Each worker builds its app from the environment (``TRUSTDESK_*``), like every other process.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy import Engine

from trustdesk.settings import get_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServeOptions:
    """How ``trustdesk serve`` listens."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    trusted_proxies: str | None = None
    """Proxies whose X-Forwarded-* headers the app believes; None: TRUSTDESK_TRUSTED_PROXIES as set."""
    keep_alive_seconds: int = 5
    graceful_seconds: int = 20


def configure_logging() -> None:
    """trustdesk's own messages (background rounds, overload, lost jobs) at INFO on stderr."""
    logger = logging.getLogger("trustdesk")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(process)d]: %(message)s")
        )
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def worker_app() -> FastAPI:
    """The app of one worker process (a uvicorn factory); database and settings from the environment."""
    from trustdesk.store.db import get_engine

    configure_logging()
    log.info("worker process ready")
    from trustdesk.web.app import create_desk_app

    return create_desk_app(get_engine())


def serve(engine: Engine, options: ServeOptions) -> None:
    """Run the desk until stopped; the background jobs run in this process."""
    import uvicorn

    from trustdesk.web.app import create_desk_app
    from trustdesk.web.background import start_background

    configure_logging()
    # The workers are spawned and build their app from the environment: hand them this database (the
    # demo has its own) and the proxies to believe, which the app checks itself (the sign-in throttle
    # counts per client address, so only the listed proxies may name it).
    os.environ["TRUSTDESK_DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    if options.trusted_proxies is not None:
        os.environ["TRUSTDESK_TRUSTED_PROXIES"] = options.trusted_proxies
    get_settings.cache_clear()
    common = {
        "host": options.host,
        "port": options.port,
        "log_level": "warning",
        "proxy_headers": False,  # the app's own middleware does it, with TRUSTDESK_TRUSTED_PROXIES
        "timeout_keep_alive": options.keep_alive_seconds,
        "timeout_graceful_shutdown": options.graceful_seconds,
        # A second line of defence behind the app's own limit: past this many open connections per
        # process uvicorn answers 503 before reading the request.
        "limit_concurrency": max(64, 4 * (get_settings().web_threads + get_settings().web_queue_size)),
    }
    if options.workers <= 1:
        app = create_desk_app(engine)
        stop = start_background(engine)
        try:
            uvicorn.run(app, **common)  # type: ignore[arg-type]
        finally:
            stop.set()
        return
    stop = start_background(engine)
    try:
        uvicorn.run(
            "trustdesk.web.serving:worker_app",
            factory=True,
            workers=options.workers,
            **common,  # type: ignore[arg-type]
        )
    finally:
        stop.set()
