"""Issue 16: one error type. Every error that carries a code is a DomainError, rendered by one mapper per
surface (JSON for the API, a page for the desk); no class re-declares ``__init__(code, message)``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import trustdesk
from trustdesk.errors import DomainError

SRC = Path(trustdesk.__file__).parent


def _modules() -> list[object]:
    names = [
        m.name for m in pkgutil.walk_packages([str(SRC)], prefix="trustdesk.") if ".migrations" not in m.name
    ]
    return [importlib.import_module(name) for name in names]


def test_every_coded_error_is_a_domain_error() -> None:
    offenders = []
    for module in _modules():
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, BaseException):
                continue
            coded = "code" in vars(cls) or cls.__name__.endswith("Error")
            # FieldError is a parser's internal signal, turned into a rejected line, never shown as such
            if coded and not issubclass(cls, DomainError) and cls.__name__ != "FieldError":
                offenders.append(f"{module.__name__}.{name}")
    assert offenders == []


def test_no_error_class_repeats_the_code_message_constructor() -> None:
    pattern = re.compile(r"def __init__\(self, code: str, message: str\)")
    repeats = [
        str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert repeats == []


def test_domain_error_code_message_and_status() -> None:
    class Thing(DomainError):
        code = "thing.broken"
        status = 409

    assert (Thing("it broke").code, Thing("it broke").status, str(Thing("it broke"))) == (
        "thing.broken",
        409,
        "it broke",
    )
    named = DomainError("thing.not_found", "no thing 5")
    assert (named.code, named.status, named.message) == ("thing.not_found", 404, "no thing 5")
    assert DomainError("x.y", "z", status=422).status == 422
