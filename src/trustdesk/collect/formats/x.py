"""X API v2: tweets with expansions=author_id (``GET /2/users/:id/mentions`` and other tweet lists)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from trustdesk.collect.records import ParsedRecord

from ._platform import Result, first_items, obj, read_pages, required_id
from ._values import FieldError, as_count, as_id, as_language, as_text, as_timestamp

Users = dict[str, dict[str, Any]]
# X's "language" codes for no linguistic content; they say nothing about the customer's language.
NO_LANGUAGE = frozenset({"und", "zxx", "qme", "qst", "qct", "qht", "qam"})


def read_document(doc: Any) -> Iterator[Result]:
    """Yield each tweet as a public mention, its author taken from includes.users."""
    return read_pages(doc, key="data", parse_item=_tweet, context=_users)


def matches(doc: Any) -> bool:
    """True for a data[] page of tweets (author_id / edit_history_tweet_ids) or an empty X page."""
    items = first_items(doc, "data")
    if items:
        first = items[0]
        return (
            isinstance(first, dict)
            and "text" in first
            and bool({"author_id", "edit_history_tweet_ids", "conversation_id"} & first.keys())
        )
    pages = doc if isinstance(doc, list) else [doc]
    page = pages[0] if pages else None
    return isinstance(page, dict) and isinstance(page.get("meta"), dict) and "result_count" in page["meta"]


def _users(page: dict[str, Any]) -> Users:
    includes = page.get("includes")
    users = includes.get("users") if isinstance(includes, dict) else None
    if not isinstance(users, list):
        return {}
    return {str(user["id"]): user for user in users if isinstance(user, dict) and "id" in user}


def _tweet(item: dict[str, Any], line: int, users: Users) -> Iterator[ParsedRecord]:
    tweet_id = required_id(item.get("id"), "id")
    # Long posts arrive truncated in "text"; the whole text is in note_tweet.
    note = obj(item.get("note_tweet"), "note_tweet")
    text = as_text(note.get("text"), "note_tweet.text") or as_text(item.get("text"), "text")
    if text is None:
        raise FieldError("missing text")
    author_id = as_id(item.get("author_id"), "author_id")
    author = users.get(author_id or "", {})
    username = as_text(author.get("username"), "username")
    metrics = obj(author.get("public_metrics"), "user.public_metrics")
    notes: list[str] = []
    language = as_language(item.get("lang"), "lang", notes)
    yield ParsedRecord(
        line=line,
        platform_id=tweet_id,
        text=text,
        kind="mention",
        author_name=as_text(author.get("name"), "user.name") or None,
        author_platform_id=author_id,
        author_handle=f"@{username}" if username else None,
        author_followers=as_count(metrics.get("followers_count"), "followers_count"),
        created_at=as_timestamp(item.get("created_at"), "created_at", notes),
        url=f"https://x.com/{username or 'i/web'}/status/{tweet_id}",
        parent_platform_id=_replied_to(item.get("referenced_tweets")),
        language=None if language in NO_LANGUAGE else language,
        is_public=True,
        raw=item,
        notes=notes,
    )


def _replied_to(references: Any) -> str | None:
    if not isinstance(references, list):
        return None
    for ref in references:
        if isinstance(ref, dict) and ref.get("type") == "replied_to":
            return as_id(ref.get("id"), "referenced_tweets.id")
    return None
