"""Facebook Graph API: ``/{post-id}/comments`` or ``/{page-id}/feed?fields=comments{...}`` pages.

A top-level item carrying a ``comments`` edge is a post (the feed shape) unless it has comment-only
fields; its comments and their nested replies become records. Comments written by the page itself
(``from.id`` = the page id, the prefix of the ``{page-id}_{post-id}`` post id) are outbound replies.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from trustdesk.collect.records import ParsedRecord, Rejected

from ._platform import Result, first_items, obj, read_pages, required_id
from ._values import FieldError, as_id, as_text, as_timestamp

COMMENT_ONLY = frozenset(
    {"parent", "comment_count", "like_count", "can_comment", "can_reply_privately", "is_hidden", "attachment"}
)
_EDGE_URL = re.compile(r"/(?:v[\d.]+/)?(\d+)(?:_(\d+))?/(comments|feed|posts|published_posts)\b")


@dataclass(frozen=True, slots=True)
class _Page:
    """What the paging URLs tell about the request: which edge, and of which object."""

    edge: str | None
    object_id: str | None


def read_document(doc: Any) -> Iterator[Result]:
    """Yield posts (feed shape), comments and nested replies; the page's own comments are replies."""
    return read_pages(doc, key="data", parse_item=_item, context=_page)


def matches(doc: Any) -> bool:
    """True for a data[] page of Graph objects with created_time (and message or comments)."""
    items = first_items(doc, "data")
    if not items or not isinstance(items[0], dict):
        return False
    first = items[0]
    return "created_time" in first and bool({"message", "comments", "from"} & first.keys())


def _page(page: dict[str, Any]) -> _Page:
    paging = page.get("paging")
    if isinstance(paging, dict):
        for key in ("next", "previous"):
            url = paging.get(key)
            match = _EDGE_URL.search(url) if isinstance(url, str) else None
            if match:
                object_id = match.group(1) + (f"_{match.group(2)}" if match.group(2) else "")
                return _Page(edge=match.group(3), object_id=object_id)
    return _Page(edge=None, object_id=None)


def _item(item: dict[str, Any], line: int, page: _Page) -> Iterator[Result]:
    if page.edge == "comments":
        is_post = False
    elif page.edge is not None:
        is_post = True
    else:
        is_post = "comments" in item and not (COMMENT_ONLY & item.keys())
    if not is_post:
        # /{post-id}/comments: the post id names the page ({page-id}_{post-id}).
        post_id = page.object_id if page.object_id and "_" in page.object_id else None
        owners = {post_id.split("_")[0]} if post_id else set()
        yield from _comment(item, line, parent=post_id, owners=owners)
        return
    post_id = required_id(item.get("id"), "id")
    page_id = post_id.split("_")[0] if "_" in post_id else (page.object_id or "")
    author = obj(item.get("from"), "from")
    author_id = as_id(author.get("id"), "from.id")
    by_page = author_id is None or author_id == page_id
    notes: list[str] = []
    yield ParsedRecord(
        line=line,
        platform_id=post_id,
        text=as_text(item.get("message"), "message") or "",
        kind="post",
        direction="outbound" if by_page else "inbound",
        author_name=as_text(author.get("name"), "from.name") or None,
        author_platform_id=author_id,
        created_at=as_timestamp(item.get("created_time"), "created_time", notes),
        updated_at=as_timestamp(item.get("updated_time"), "updated_time", notes),
        url=as_text(item.get("permalink_url"), "permalink_url") or None,
        raw=_without_edge(item),
        notes=notes,
    )
    yield from _children(item, line, parent=post_id, owners={page_id} if page_id else set())


def _comment(item: dict[str, Any], line: int, *, parent: str | None, owners: set[str]) -> Iterator[Result]:
    try:
        comment_id = required_id(item.get("id"), "comment id")
        author = obj(item.get("from"), "from")
        author_id = as_id(author.get("id"), "from.id")
        text = as_text(item.get("message"), "message")
        notes: list[str] = []
        if not text:
            notes.append("comment has no message (an attachment or sticker only)")
        parent_ref = obj(item.get("parent"), "parent")
        by_page = author_id is not None and author_id in owners
        record = ParsedRecord(
            line=line,
            platform_id=comment_id,
            text=text or "",
            kind="reply" if by_page else "comment",
            direction="outbound" if by_page else "inbound",
            author_name=as_text(author.get("name"), "from.name") or None,
            author_platform_id=author_id,
            created_at=as_timestamp(item.get("created_time"), "created_time", notes),
            url=as_text(item.get("permalink_url"), "permalink_url") or None,
            parent_platform_id=as_id(parent_ref.get("id"), "parent.id") or parent,
            raw=_without_edge(item),
            notes=notes,
        )
    except FieldError as exc:
        yield Rejected(line, str(exc))
        return
    yield record
    yield from _children(item, line, parent=comment_id, owners=owners)


def _children(item: dict[str, Any], line: int, *, parent: str, owners: set[str]) -> Iterator[Result]:
    edge = item.get("comments")
    children = edge.get("data") if isinstance(edge, dict) else None
    if edge is not None and not isinstance(children, list):
        yield Rejected(line, f"comments of {parent} must be an object with a data array")
        return
    for child in children or []:
        if isinstance(child, dict):
            yield from _comment(child, line, parent=parent, owners=owners)
        else:
            yield Rejected(line, f"expected a comment object under {parent}")


def _without_edge(item: dict[str, Any]) -> dict[str, Any]:
    """The object without its nested comments, which are records of their own."""
    return {key: value for key, value in item.items() if key != "comments"}
