"""Trustpilot: the ``business-units/{id}/reviews`` response (reviews[] with companyReply)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from trustdesk.collect.records import ParsedRecord

from ._platform import document_reader, items_shaped, obj, owner_reply, required_id
from ._values import FieldError, as_id, as_language, as_rating, as_text, as_timestamp

REVIEW_URL = "https://www.trustpilot.com/reviews/{id}"


# A review of this platform is told apart from the other reviews[] payloads by these keys.
matches = items_shaped("reviews", frozenset({"stars", "consumer"}))


def _review(item: dict[str, Any], line: int, _: None) -> Iterator[ParsedRecord]:
    review_id = required_id(item.get("id"), "id")
    consumer = obj(item.get("consumer"), "consumer")
    rating = as_rating(item.get("stars"), "stars")
    text = as_text(item.get("text"), "text")
    if text is None and rating is None:
        raise FieldError("review has neither text nor stars")
    notes: list[str] = []
    yield ParsedRecord(
        line=line,
        platform_id=review_id,
        text=text or "",
        kind="review",
        author_name=as_text(consumer.get("displayName"), "consumer.displayName") or None,
        author_platform_id=as_id(consumer.get("id"), "consumer.id"),
        rating=rating,
        created_at=as_timestamp(item.get("createdAt"), "createdAt", notes),
        updated_at=as_timestamp(item.get("updatedAt"), "updatedAt", notes),
        url=REVIEW_URL.format(id=review_id),
        language=as_language(item.get("language"), "language", notes),
        title=as_text(item.get("title"), "title") or None,
        raw=item,
        notes=notes,
    )
    reply = obj(item.get("companyReply"), "companyReply")
    if reply:
        reply_notes: list[str] = []
        yield owner_reply(
            review_id=review_id,
            line=line,
            text=reply.get("text"),
            created_at=as_timestamp(reply.get("createdAt"), "companyReply.createdAt", reply_notes),
            updated_at=as_timestamp(reply.get("updatedAt"), "companyReply.updatedAt", reply_notes),
            raw=reply,
            notes=reply_notes,
        )


read_document = document_reader("reviews", _review)
