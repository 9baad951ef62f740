"""Facebook Graph API comments and feed payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from trustdesk.collect.formats import detect_format, read
from trustdesk.collect.records import ParsedRecord, Rejected

FIXTURES = Path(__file__).parent / "fixtures"
COMMENTS = FIXTURES / "facebook_post_comments.json"
FEED = FIXTURES / "facebook_feed.json"
PAGE_ID = "104857392018475"


def _records(data: bytes | Path) -> list[ParsedRecord | Rejected]:
    return list(read(data, format="facebook"))


def test_formats_facebook_comments_edge_with_page_reply() -> None:
    records = [r for r in _records(COMMENTS) if isinstance(r, ParsedRecord)]
    assert [(r.line, r.kind, r.direction) for r in records] == [
        (1, "comment", "inbound"),
        (1, "reply", "outbound"),
        (2, "comment", "inbound"),
    ]
    comment, reply, hostile = records
    assert comment.platform_id == "998877665544332_1203948576102938"
    assert comment.parent_platform_id == f"{PAGE_ID}_998877665544332"  # from the paging URL
    assert (comment.author_name, comment.author_platform_id) == ("Gemma Hughes", "7712093847561029")
    assert comment.created_at == datetime(2026, 11, 20, 12, 30, 45, tzinfo=UTC)  # "+0000" form
    assert comment.url is not None and comment.url.endswith("comment_id=1203948576102938")
    assert "comments" not in comment.raw  # nested replies are records of their own
    assert reply.author_platform_id == PAGE_ID
    assert reply.parent_platform_id == comment.platform_id
    assert hostile.text == "<b>Worst</b> service ever <script>alert('bluebird')</script> — no oat milk AGAIN."


def test_formats_facebook_feed_posts_comments_and_nested_replies() -> None:
    records = [r for r in _records(FEED) if isinstance(r, ParsedRecord)]
    assert [(r.line, r.kind, r.direction, r.author_name) for r in records] == [
        (1, "post", "outbound", None),
        (1, "comment", "inbound", "Fatima Zahra"),
        (1, "reply", "outbound", "Bluebird Coffee Co."),
        (1, "comment", "inbound", "Oliver Grant"),
        (2, "post", "outbound", None),
    ]
    post, fatima, page_reply, oliver, _ = records
    assert post.platform_id == f"{PAGE_ID}_998877665544332"
    assert fatima.parent_platform_id == post.platform_id
    assert page_reply.parent_platform_id == fatima.platform_id
    assert oliver.parent_platform_id == post.platform_id
    assert "comments" not in post.raw


def test_formats_facebook_page_reply_unknown_without_paging_hint() -> None:
    doc = json.loads(COMMENTS.read_text())
    del doc["paging"]
    records = [r for r in _records(json.dumps(doc).encode()) if isinstance(r, ParsedRecord)]
    # Without the request URL the page id is unknown, so its reply reads as a comment.
    assert [r.direction for r in records] == ["inbound", "inbound", "inbound"]


def test_formats_facebook_bad_nested_comment_rejected_alone() -> None:
    doc = {
        "data": [
            {
                "id": "1_2",
                "created_time": "2026-11-20T12:30:45+0000",
                "message": "top",
                "comments": {
                    "data": [
                        {"message": "reply without id", "created_time": "2026-11-20T12:31:00+0000"},
                        {"id": "1_4", "message": "ok", "created_time": "2026-11-20T12:32:00+0000"},
                    ]
                },
            },
            {"id": "1_5", "message": "bad time", "created_time": "yesterday", "parent": {"id": "1_2"}},
        ]
    }
    results = _records(json.dumps(doc).encode())
    summary = [(r.line, r.reason if isinstance(r, Rejected) else r.platform_id) for r in results]
    assert summary == [
        (1, "1_2"),
        (1, "missing comment id"),
        (1, "1_4"),
        (2, "bad timestamp in created_time: 'yesterday' is not ISO 8601"),
    ]


def test_formats_facebook_attachment_only_comment_kept_with_note() -> None:
    doc = {
        "data": [{"id": "9_1", "created_time": "2026-11-20T12:30:45+0000", "from": {"id": "5", "name": "A"}}]
    }
    [record] = _records(json.dumps(doc).encode())
    assert isinstance(record, ParsedRecord)
    assert record.text == ""
    assert record.notes == ["comment has no message (an attachment or sticker only)"]


def test_formats_facebook_detected_from_shape() -> None:
    assert detect_format(COMMENTS) == "facebook"
    assert detect_format(FEED) == "facebook"
