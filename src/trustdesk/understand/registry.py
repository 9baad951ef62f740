"""Versioned analysis components, loaded lazily and once per process.

A component turns cleaned texts into per-head probabilities; ``predict`` has no side effects.
Heads every component provides: sentiment (3), tweet_emotion (4), goemotions (28, independent),
offensive / hate / irony (1, independent) and intent (len(INTENTS)).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from trustdesk.errors import DomainError

MODELS_DIR = Path(__file__).resolve().parent / "models"
TIERS: dict[str, str] = {"fast": "trustdesk.fast.v1", "accurate": "trustdesk.ensemble.v1"}
COMPONENTS: tuple[str, ...] = ("trustdesk.fast.v1", "trustdesk.minilm.v1", "trustdesk.ensemble.v1")
"""Every shipped component; ``trustdesk eval`` measures each."""
AUTO_ACCURATE_UP_TO = 50_000
"""``auto`` gives a job of up to this many messages the accurate tier and a bigger backlog the fast one.

Chosen from the measurements in models/MODEL_CARD.md: accurate is better on every score and takes at
most ~2 minutes for such a job (~400 msgs/s; live traffic — a webhook, a poll, a day's reviews — takes
seconds); a million-message backfill takes ~2 minutes on the fast tier and ~40 on the accurate one.
"""


class Component(Protocol):
    """A trained analysis model."""

    name: str

    def predict(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Per-head probabilities, one row per text; pure."""
        ...


class UnknownComponentError(DomainError, LookupError):
    """No component is registered under that name (code: understand.unknown_component)."""

    code = "understand.unknown_component"
    status = 500


_FACTORIES: dict[str, Callable[[], Component]] = {}
_LOADED: dict[str, Component] = {}
_LOCK = threading.RLock()  # re-entrant: the ensemble loads its parts inside get()


def register(name: str) -> Callable[[Callable[[], Component]], Callable[[], Component]]:
    """Register a component factory under a versioned name such as ``trustdesk.fast.v1``."""

    def deco(factory: Callable[[], Component]) -> Callable[[], Component]:
        _FACTORIES[name] = factory
        return factory

    return deco


def _import_builtins() -> None:
    # importing the modules runs their @register decorators; done late to keep import cheap
    from trustdesk.understand import accurate, fast  # noqa: F401


def names() -> list[str]:
    """All registered component names."""
    _import_builtins()
    return sorted(_FACTORIES)


def get(name: str) -> Component:
    """The component registered as ``name``, loaded on first use and cached for the process."""
    if name in _LOADED:
        return _LOADED[name]
    _import_builtins()
    with _LOCK:
        if name not in _LOADED:
            if name not in _FACTORIES:
                raise UnknownComponentError(f"no analysis component named {name!r}")
            _LOADED[name] = _FACTORIES[name]()
        return _LOADED[name]


_ARTEFACTS: dict[str, tuple[str, ...]] = {
    "trustdesk.fast.v1": ("fast_v1.npz", "fast_v1.json"),
    "trustdesk.minilm.v1": ("minilm_v1.int8.onnx", "minilm_v1.json", "minilm_v1.tokenizer.json"),
    "trustdesk.ensemble.v1": (
        "ensemble_v1.json", "fast_v1.npz", "fast_v1.json", "minilm_v1.int8.onnx", "minilm_v1.json",
        "minilm_v1.tokenizer.json",
    ),
}  # fmt: skip


def available(tier: str) -> bool:
    """True when the artefacts of ``tier`` (a tier or a component name) are shipped."""
    files = _ARTEFACTS.get(TIERS.get(tier, tier))
    return files is not None and all((MODELS_DIR / f).exists() for f in files)


def resolve_tier(tier: str | None, *, count: int | None = None) -> str:
    """Map ``None`` (the setting), ``auto``, a tier name or a component name to a component name.

    ``auto`` depends on ``count``, the size of the job: accurate up to ``AUTO_ACCURATE_UP_TO`` messages
    (when its artefacts are shipped), fast for bigger or unknown ones.
    """
    if tier is None:
        from trustdesk.settings import get_settings

        tier = get_settings().analysis_tier
    if tier == "auto":
        small = count is not None and count <= AUTO_ACCURATE_UP_TO
        tier = "accurate" if small and available("accurate") else "fast"
    if tier in TIERS:
        return TIERS[tier]
    return tier  # a full component name
