"""What every platform payload reader shares: pages, item indexes, owner replies, shape checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, TypeVar

from trustdesk.collect.records import ParsedRecord, Rejected

from ._values import FieldError, as_id, bad_string

Result = ParsedRecord | Rejected
Context = TypeVar("Context")
ItemParser = Callable[[dict[str, Any], int, Context], Iterable[Result]]


def pages_of(doc: Any) -> list[Any]:
    """A platform file holds one API response page or a JSON array of pages."""
    return doc if isinstance(doc, list) else [doc]


def first_items(doc: Any, key: str) -> list[Any] | None:
    """The item list of the first page, or None when the document is not shaped that way."""
    pages = pages_of(doc)
    page = pages[0] if pages else None
    if not isinstance(page, dict):
        return None
    items = page.get(key)
    return items if isinstance(items, list) else None


def read_pages(
    doc: Any,
    *,
    key: str,
    parse_item: ItemParser[Context],
    context: Callable[[dict[str, Any]], Context],
) -> Iterator[Result]:
    """Yield the records of every item of every page; ``line`` counts items across pages from 1."""
    index = 0
    for page in pages_of(doc):
        if not isinstance(page, dict):
            yield Rejected(0, f'expected an API response object with a "{key}" array')
            continue
        if isinstance(page.get("error"), dict):
            message = page["error"].get("message") or page["error"].get("status") or "no message"
            yield Rejected(0, f"the file holds an API error response, not data: {message!s:.200}")
            continue
        # Google APIs leave out empty lists, so a page without the key simply has no items.
        items = page.get(key, [])
        if not isinstance(items, list):
            yield Rejected(0, f'"{key}" must be an array')
            continue
        page_context = context(page)
        for item in items:
            index += 1
            if not isinstance(item, dict):
                yield Rejected(index, f"expected an object in {key}[], got {type(item).__name__}")
                continue
            problem = bad_string(item)
            if problem:
                yield Rejected(index, problem)
                continue
            # Records already yielded stand: a bad owner reply must not take its good review with it.
            try:
                yield from parse_item(item, index, page_context)
            except FieldError as exc:
                yield Rejected(index, str(exc))


def items_shaped(key: str, markers: frozenset[str]) -> Callable[[Any], bool]:
    """A ``matches`` test: the first page's ``key`` list is empty or its first item has a marker key."""

    def matches(doc: Any) -> bool:
        items = first_items(doc, key)
        if items is None:
            return False
        return not items or (isinstance(items[0], dict) and bool(markers & items[0].keys()))

    return matches


def document_reader(key: str, parse_item: ItemParser[None]) -> Callable[[Any], Iterator[Result]]:
    """A ``read_document`` for platforms whose items need nothing else from their page."""

    def read_document(doc: Any) -> Iterator[Result]:
        return read_pages(doc, key=key, parse_item=parse_item, context=no_context)

    return read_document


def no_context(page: dict[str, Any]) -> None:
    """For platforms whose items need nothing else from their page."""
    return None


def required_id(value: Any, field: str) -> str:
    """The item's platform id; its absence rejects the item."""
    found = as_id(value, field)
    if found is None:
        raise FieldError(f"missing {field}")
    return found


def obj(value: Any, field: str) -> dict[str, Any]:
    """A nested object that may be absent (→ empty) but must not be another type."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FieldError(f"{field} must be an object")
    return value


def owner_reply(
    *,
    review_id: str,
    line: int,
    text: Any,
    created_at: datetime | None,
    raw: dict[str, Any],
    updated_at: datetime | None = None,
    is_public: bool = True,
    notes: list[str] | None = None,
) -> ParsedRecord:
    """The brand's one public answer to a review, as an outbound reply record."""
    if not isinstance(text, str):
        raise FieldError("owner reply text must be a string")
    return ParsedRecord(
        line=line,
        platform_id=f"{review_id}:reply",
        text=text,
        kind="reply",
        direction="outbound",
        created_at=created_at,
        updated_at=updated_at,
        parent_platform_id=review_id,
        is_public=is_public,
        raw=raw,
        notes=notes if notes is not None else [],
    )
