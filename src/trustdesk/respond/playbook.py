"""Loading and validating playbooks (YAML), with every mistake reported at once as path + message."""

from __future__ import annotations

import re
import stat
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from trustdesk.errors import DomainError
from trustdesk.respond.schemas import STEPS, Playbook
from trustdesk.respond.text import slots

PLAYBOOK_DIR = Path(__file__).parent / "playbooks"
DEFAULT_PLAYBOOK = PLAYBOOK_DIR / "default.yaml"

KNOWN_SLOTS = frozenset(
    {
        "name",
        "brand",
        "signer",
        "product",
        "location",
        "staff",
        "topic",
        "offer",
        "email",
        "answer",
        "link",
        "problem",
        "relation",
        "need",
        "when",
        "version",
    }
)
REQUIRED_SITUATIONS = ("default", "spam")
REQUIRED_STEPS_WITHOUT_VARIANT = ("greet", "signoff")
MAX_PLAYBOOK_BYTES = 512_000
"""The largest playbook read or saved (the shipped ones are ~40 kB)."""
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


class PlaybookError(DomainError, ValueError):
    """A playbook that cannot be used; ``errors`` lists (path, message) for every mistake."""

    code = "playbook_invalid"

    def __init__(self, source: str, errors: list[tuple[str, str]]) -> None:
        self.source = source
        self.errors = errors
        lines = "\n".join(f"  {path}: {message}" for path, message in errors)
        super().__init__(f"{source}: {len(errors)} problem(s) in the playbook\n{lines}")


def _merge(base: Any, override: Any) -> Any:
    """Deep-merge mappings (override wins); lists and scalars are replaced, not appended."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    return override


def _read(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read one YAML file (a regular file of at most ``MAX_PLAYBOOK_BYTES``) and resolve ``extends``."""
    source = str(path)
    if path in seen:
        raise PlaybookError(source, [("extends", "playbooks extend each other in a cycle")])
    try:
        # A device or FIFO (/dev/zero) would never end: only regular files are read, and only so much.
        if not stat.S_ISREG(path.stat().st_mode):
            raise PlaybookError(source, [("", "not a regular file")])
        with path.open("rb") as fh:
            data = fh.read(MAX_PLAYBOOK_BYTES + 1)
        text = data.decode("utf-8")
    except OSError as exc:
        raise PlaybookError(source, [("", f"cannot read the file: {exc.strerror or exc}")]) from exc
    except UnicodeDecodeError as exc:
        raise PlaybookError(source, [("", f"not valid YAML: {exc}")]) from exc
    return _resolve(text, source=source, base=path.parent, seen=(*seen, path))


class _PlaybookLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` without aliases: ``*ref`` chains can expand a small text into gigabytes."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed here", mark)
        return super().compose_node(parent, index)


def _parent_path(parent: str, *, source: str, base: Path | None) -> Path:
    """Where ``extends: parent`` points: a shipped playbook, or (for a file) a sibling in its folder."""
    shipped = shipped_playbook_path(parent)
    if shipped is not None:
        return shipped
    # A playbook file on disk (the CLI's --playbook) may extend a file beside it, by bare name only:
    # never a path, so a playbook saved in the desk cannot point at any other file on the server.
    if base is not None and _FILE_NAME.fullmatch(parent) and ".." not in parent:
        return base / parent
    raise PlaybookError(source, [("extends", f"no shipped playbook named {parent!r}")])


def _resolve(text: str, *, source: str, base: Path | None, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Parse YAML text and merge it over the playbook it ``extends`` (sibling files need a ``base``)."""
    if len(text.encode("utf-8")) > MAX_PLAYBOOK_BYTES:
        raise PlaybookError(source, [("", f"the playbook is larger than {MAX_PLAYBOOK_BYTES // 1000} kB")])
    try:
        raw = yaml.load(text, Loader=_PlaybookLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise PlaybookError(source, [("", f"not valid YAML: {exc}")]) from exc
    if not isinstance(raw, dict):
        raise PlaybookError(source, [("", "the playbook must be a mapping at the top level")])
    parent = raw.get("extends")
    if parent is None:
        return raw
    if not isinstance(parent, str):
        raise PlaybookError(source, [("extends", "must be a playbook name")])
    return _merge(_read(_parent_path(parent, source=source, base=base).resolve(), seen), raw)


@lru_cache(maxsize=32)
def parse_playbook_text(text: str, *, source: str = "<playbook>") -> Playbook:
    """Validate a playbook given as YAML text (as saved in the desk's editor); ``extends`` a shipped one."""
    return parse_playbook(_resolve(text, source=source, base=None), source=source)


def _loc(parts: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in parts) or "(top)"


def _semantic_errors(pb: Playbook) -> list[tuple[str, str]]:
    """Cross-field checks pydantic cannot express: phrasings for every used step, known slots, regexes."""
    errors: list[tuple[str, str]] = []
    used_steps = {step for s in pb.situations.values() for step in s.steps}
    for name in REQUIRED_SITUATIONS:
        if name not in pb.situations:
            errors.append((f"situations.{name}", "this situation is required"))
    for lang in pb.languages:
        if lang not in pb.phrases:
            errors.append((f"phrases.{lang}", f"no phrasings for listed language {lang!r}"))
            continue
        for step in sorted(used_steps | set(REQUIRED_STEPS_WITHOUT_VARIANT)):
            variants = pb.phrases[lang].get(step)
            if not variants or not variants.get("default"):
                errors.append((f"phrases.{lang}.{step}.default", "a used step needs default phrasings"))
        for rule in pb.compensation:
            if lang not in rule.offer:
                errors.append((f"compensation.{rule.id}.offer.{lang}", "missing offer wording"))
        for faq in pb.facts.faq:
            if lang not in faq.answer:
                errors.append((f"facts.faq.{faq.id}.answer.{lang}", "missing answer wording"))
    for lang, steps in pb.phrases.items():
        for step, variants in steps.items():
            if step not in STEPS:
                errors.append((f"phrases.{lang}.{step}", f"unknown step; expected one of {', '.join(STEPS)}"))
            for key, templates in variants.items():
                for i, template in enumerate(templates):
                    unknown = slots(template) - KNOWN_SLOTS
                    if unknown:
                        where = f"phrases.{lang}.{step}.{key}.{i}"
                        errors.append((where, f"unknown slot(s) {sorted(unknown)} in {template!r}"))
                    if template.count("[") != template.count("]"):
                        errors.append((f"phrases.{lang}.{step}.{key}.{i}", "unbalanced [ ] alternation"))
    known_situations = set(pb.situations)
    for i, rule in enumerate(pb.compensation):
        for s in rule.situations:
            if s not in known_situations:
                errors.append((f"compensation.{i}.situations", f"unknown situation {s!r}"))
    for trigger in pb.escalation_triggers:
        if trigger not in known_situations:
            errors.append((f"escalation_triggers.{trigger}", "no situation of that name"))
    if pb.facts.order_pattern:
        try:
            re.compile(pb.facts.order_pattern)
        except re.error as exc:
            errors.append(("facts.order_pattern", f"not a regular expression: {exc}"))
    for i, phrase in enumerate(pb.forbidden_phrases):
        if not phrase.strip():
            errors.append((f"forbidden_phrases.{i}", "empty phrase"))
    return errors


def parse_playbook(data: dict[str, Any], *, source: str = "<playbook>") -> Playbook:
    """Validate a playbook mapping; raises PlaybookError listing every problem."""
    try:
        pb = Playbook.model_validate(data)
    except ValidationError as exc:
        errors = [(_loc(err["loc"]), err["msg"]) for err in exc.errors()]
        raise PlaybookError(source, errors) from None
    problems = _semantic_errors(pb)
    if problems:
        raise PlaybookError(source, problems)
    return pb


@lru_cache(maxsize=32)
def _load_cached(path: Path, mtime: float) -> Playbook:
    return parse_playbook(_read(path), source=str(path))


def load_playbook(path: str | Path | None = None) -> Playbook:
    """Load a playbook file given by the operator (CLI, settings): None = default, a bare name = shipped.

    Never pass a value from a request here: a request chooses by name (``playbook_named``).
    """
    if path is None:
        resolved = DEFAULT_PLAYBOOK
    else:
        candidate = Path(path)
        shipped = shipped_playbook_path(str(path)) if not candidate.suffix else None
        resolved = shipped or candidate
    resolved = resolved.resolve()
    try:
        mtime = resolved.stat().st_mtime
    except OSError as exc:
        raise PlaybookError(str(resolved), [("", f"cannot read the file: {exc.strerror or exc}")]) from exc
    return _load_cached(resolved, mtime)


def playbook_named(name: str) -> Playbook:
    """A shipped playbook chosen by name (for requests); anything else is a ``PlaybookError``."""
    path = shipped_playbook_path(name)
    if path is None:
        raise PlaybookError(name[:80], [("", f"no shipped playbook named {name[:80]!r}")])
    return load_playbook(path)


def shipped_playbook_path(name: str) -> Path | None:
    """The file of the shipped playbook ``name``, or None when no shipped playbook has that name."""
    return PLAYBOOK_DIR / f"{name}.yaml" if name in _shipped_names() else None


@cache
def _shipped_names() -> frozenset[str]:
    # The package's folder does not change while the process runs; names are checked against this set
    # (never joined into a path first), so "../x" or "/etc/shadow" can never reach the file system.
    return frozenset(p.stem for p in PLAYBOOK_DIR.glob("*.yaml") if _NAME.fullmatch(p.stem))


def shipped_playbooks() -> list[str]:
    """Names of the playbooks that ship with trustdesk."""
    return sorted(_shipped_names())
