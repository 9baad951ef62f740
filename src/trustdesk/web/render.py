"""The Jinja2 environment of the desk: autoescape always on, and small display filters."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from starlette.templating import Jinja2Templates

from trustdesk.store.base import utcnow

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

CHANNEL_BADGES: dict[str, tuple[str, str]] = {
    "google_business": ("G", "Google"),
    "google_play": ("▶", "Google Play"),
    "app_store": ("A", "App Store"),
    "facebook": ("f", "Facebook"),
    "instagram": ("ig", "Instagram"),
    "x": ("X", "X"),
    "trustpilot": ("★", "Trustpilot"),
    "yelp": ("y", "Yelp"),
    "email": ("@", "E-mail"),
    "website": ("w", "Website"),
    "webhook": ("⚡", "Webhook"),
    "manual": ("✎", "Manual"),
}


def duration(seconds: float | None) -> str:
    """A short human duration: 45 s, 12 min, 3 h 20 min, 2 d 4 h."""
    if seconds is None:
        return ""
    seconds = abs(int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes and hours < 10 else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def ago(value: datetime | None, now: datetime | None = None) -> str:
    """How long ago ``value`` was, e.g. "3 h ago"."""
    if value is None:
        return ""
    now = now or utcnow()
    delta = (now - value).total_seconds()
    return "just now" if delta < 45 else f"{duration(delta)} ago"


def stars(rating: float | None) -> str:
    """★★☆☆☆ for a rating of 2."""
    if rating is None:
        return ""
    full = max(0, min(5, round(rating)))
    return "★" * full + "☆" * (5 - full)


def channel_badge(kind: str) -> tuple[str, str]:
    """(short glyph, label) of a channel kind."""
    return CHANNEL_BADGES.get(kind, ("•", kind))


def iso(value: datetime | None) -> str:
    """ISO 8601 in UTC for ``<time datetime>``."""
    return value.isoformat() if value else ""


def http_url(value: str | None) -> str:
    """``value`` if it is an http(s) URL, else "" (a javascript: link must never reach an href)."""
    if not value:
        return ""
    cleaned = value.strip()
    scheme = cleaned.split(":", 1)[0].lower() if ":" in cleaned else ""
    return cleaned if scheme in ("http", "https") and not any(ord(ch) < 32 for ch in cleaned) else ""


def make_environment() -> Environment:
    """The one Jinja2 environment: autoescape for every template (customer text is hostile)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(duration=duration, ago=ago, stars=stars, iso=iso, http_url=http_url)
    env.globals.update(channel_badge=channel_badge)
    return env


def make_templates() -> Jinja2Templates:
    """Starlette templates bound to the desk's environment, every template compiled up front."""
    env = make_environment()
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)  # the first page view should not pay for compiling
    return Jinja2Templates(env=env)


def page_context(**values: Any) -> dict[str, Any]:
    """Template values with the current time (one ``now`` per render so every countdown agrees)."""
    return {"now": utcnow(), "nav": "", "counts": {}, **values}
