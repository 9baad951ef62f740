"""App Store Connect API: ``GET /v1/apps/{id}/customerReviews`` (JSON:API data[] + included responses)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from trustdesk.collect.records import ParsedRecord

from ._platform import Result, first_items, obj, owner_reply, read_pages, required_id
from ._values import FieldError, as_id, as_rating, as_text, as_timestamp

REVIEW_TYPE = "customerReviews"
RESPONSE_TYPE = "customerReviewResponses"
Responses = dict[str, dict[str, Any]]


def read_document(doc: Any) -> Iterator[Result]:
    """Yield each customer review and its included developer response as an outbound record."""
    return read_pages(doc, key="data", parse_item=_review, context=_responses)


def matches(doc: Any) -> bool:
    """True for a data[] page whose first resource is of type customerReviews."""
    items = first_items(doc, "data")
    if not items:
        return False
    first = items[0]
    return isinstance(first, dict) and first.get("type") == REVIEW_TYPE


def _responses(page: dict[str, Any]) -> Responses:
    """Included customerReviewResponses by their id (include=response puts them there)."""
    included = page.get("included")
    if not isinstance(included, list):
        return {}
    return {
        str(res["id"]): res
        for res in included
        if isinstance(res, dict) and res.get("type") == RESPONSE_TYPE and "id" in res
    }


def _review(item: dict[str, Any], line: int, responses: Responses) -> Iterator[ParsedRecord]:
    if item.get("type") not in (None, REVIEW_TYPE):
        raise FieldError(f"expected a {REVIEW_TYPE} resource, got type {item.get('type')!r:.40}")
    review_id = required_id(item.get("id"), "id")
    attributes = obj(item.get("attributes"), "attributes")
    rating = as_rating(attributes.get("rating"))
    body = as_text(attributes.get("body"), "attributes.body")
    if body is None and rating is None:
        raise FieldError("review has neither body nor rating")
    notes: list[str] = []
    yield ParsedRecord(
        line=line,
        platform_id=review_id,
        text=body or "",
        kind="review",
        author_name=as_text(attributes.get("reviewerNickname"), "attributes.reviewerNickname") or None,
        rating=rating,
        created_at=as_timestamp(attributes.get("createdDate"), "attributes.createdDate", notes),
        title=as_text(attributes.get("title"), "attributes.title") or None,
        raw=item,
        notes=notes,
    )
    relationships = obj(item.get("relationships"), "relationships")
    link = obj(obj(relationships.get("response"), "relationships.response").get("data"), "response.data")
    response = responses.get(as_id(link.get("id"), "response.data.id") or "")
    if response is None:
        return
    answer = obj(response.get("attributes"), "response.attributes")
    reply_notes: list[str] = []
    state = answer.get("state")
    if state != "PUBLISHED":
        reply_notes.append(f"response state is {state}; not public yet")
    when = as_timestamp(answer.get("lastModifiedDate"), "response.lastModifiedDate", reply_notes)
    yield owner_reply(
        review_id=review_id,
        line=line,
        text=answer.get("responseBody"),
        created_at=when,
        updated_at=when,
        is_public=state == "PUBLISHED",
        raw=response,
        notes=reply_notes,
    )
