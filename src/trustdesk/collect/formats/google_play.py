"""Google Play Developer API: the ``reviews.list`` response (reviews[] of userComment/developerComment)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from trustdesk.collect.records import ParsedRecord

from ._platform import document_reader, items_shaped, obj, owner_reply, required_id
from ._values import FieldError, as_language, as_rating, as_text, from_epoch

# A review of this platform is told apart from the other reviews[] payloads by these keys.
matches = items_shaped("reviews", frozenset({"comments", "authorName"}))


def _review(item: dict[str, Any], line: int, _: None) -> Iterator[ParsedRecord]:
    review_id = required_id(item.get("reviewId"), "reviewId")
    comments = item.get("comments") or []
    if not isinstance(comments, list):
        raise FieldError("comments must be an array")
    users = [obj(c.get("userComment"), "userComment") for c in comments if isinstance(c, dict)]
    developers = [obj(c.get("developerComment"), "developerComment") for c in comments if isinstance(c, dict)]
    user = next((u for u in users if u), None)
    if user is None:
        raise FieldError("review has no userComment")
    notes: list[str] = []
    text = as_text(user.get("text"), "userComment.text")
    # With translationLanguage set, "text" is Google's translation; answer the customer's own words.
    original = as_text(user.get("originalText"), "userComment.originalText")
    if original:
        text = original
        notes.append("text is the reviewer's originalText; Google's translation is in raw")
    rating = as_rating(user.get("starRating"), "userComment.starRating")
    if text is None and rating is None:
        raise FieldError("userComment has neither text nor starRating")
    # Play only reports when the comment was last modified; it is the best creation time there is.
    modified = _timestamp(user.get("lastModified"), "userComment.lastModified")
    yield ParsedRecord(
        line=line,
        platform_id=review_id,
        text=text or "",
        kind="review",
        author_name=as_text(item.get("authorName"), "authorName") or None,
        rating=rating,
        created_at=modified,
        updated_at=modified,
        language=as_language(user.get("reviewerLanguage"), "userComment.reviewerLanguage", notes),
        raw=item,
        notes=notes,
    )
    developer = next((d for d in developers if d), None)
    if developer is not None:
        when = _timestamp(developer.get("lastModified"), "developerComment.lastModified")
        yield owner_reply(
            review_id=review_id,
            line=line,
            text=developer.get("text"),
            created_at=when,
            updated_at=when,
            raw=developer,
        )


def _timestamp(value: Any, field: str) -> datetime | None:
    """A protobuf Timestamp in JSON: {"seconds": "1700000000", "nanos": 0} (int64 seconds as a string)."""
    if value is None:
        return None
    stamp = obj(value, field)
    if "seconds" not in stamp:
        raise FieldError(f"bad timestamp in {field}: no seconds")
    return from_epoch(stamp["seconds"], stamp.get("nanos"), field)


read_document = document_reader("reviews", _review)
