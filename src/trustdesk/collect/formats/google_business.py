"""Google Business Profile: the ``accounts.locations.reviews.list`` response (reviews[] + reviewReply)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from trustdesk.collect.records import ParsedRecord

from ._platform import document_reader, items_shaped, obj, owner_reply, required_id
from ._values import FieldError, as_text, as_timestamp

STARS = {"ONE": 1.0, "TWO": 2.0, "THREE": 3.0, "FOUR": 4.0, "FIVE": 5.0}


# A review of this platform is told apart from the other reviews[] payloads by these keys.
matches = items_shaped("reviews", frozenset({"starRating", "reviewer"}))


def _review(item: dict[str, Any], line: int, _: None) -> Iterator[ParsedRecord]:
    review_id = required_id(item.get("reviewId"), "reviewId")
    reviewer = obj(item.get("reviewer"), "reviewer")
    star = item.get("starRating")
    rating = STARS.get(star) if isinstance(star, str) else None
    if rating is None and star not in (None, "STAR_RATING_UNSPECIFIED"):
        raise FieldError(f"starRating must be ONE..FIVE, got {star!r:.40}")
    # A star-only review has no comment at all; it is still a review.
    text = as_text(item.get("comment"), "comment") or ""
    if not text and rating is None:
        raise FieldError("review has neither comment nor starRating")
    notes: list[str] = []
    anonymous = reviewer.get("isAnonymous") is True
    yield ParsedRecord(
        line=line,
        platform_id=review_id,
        text=text,
        kind="review",
        author_name=None if anonymous else as_text(reviewer.get("displayName"), "reviewer.displayName"),
        rating=rating,
        created_at=as_timestamp(item.get("createTime"), "createTime", notes),
        updated_at=as_timestamp(item.get("updateTime"), "updateTime", notes),
        raw=item,
        notes=notes,
    )
    reply = obj(item.get("reviewReply"), "reviewReply")
    if reply:
        reply_notes: list[str] = []
        when = as_timestamp(reply.get("updateTime"), "reviewReply.updateTime", reply_notes)
        yield owner_reply(
            review_id=review_id,
            line=line,
            text=reply.get("comment"),
            created_at=when,
            updated_at=when,
            raw=reply,
            notes=reply_notes,
        )


read_document = document_reader("reviews", _review)
