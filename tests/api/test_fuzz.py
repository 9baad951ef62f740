"""Issue 13: the API fuzzed through a real server on both engines answers no request with a 500.

schemathesis generates requests from the OpenAPI document (bounded examples per operation, with a
valid API token, so the generated filters, ids and bodies reach the handlers); hypothesis generates
signed webhook bodies (arbitrary JSON in the generic schema's field names), since the webhook reads
its raw body and the document cannot describe a signed one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from tests.live import live_server

from factories import make_brand, make_channel, make_conversation, make_message, make_user
from trustdesk.api.webhooks import sign_body
from trustdesk.settings import Settings
from trustdesk.store.db import unit_of_work
from trustdesk.team.tokens import create_token
from trustdesk.web.app import create_desk_app

SECRET = "fuzz-webhook-secret"
EXAMPLES = 40
_FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)  # fmt: skip


@pytest.fixture
def desk(engine: Engine) -> Iterator[tuple[str, dict[str, str]]]:
    """A real server on the per-test database with a brand, data, a webhook channel and an admin's token."""
    with unit_of_work(engine) as s:
        brand = make_brand(s, slug="bluebird")
        x = make_channel(s, brand=brand, name="x", kind="x")
        make_channel(s, brand=brand, name="hook", kind="webhook", webhook_secret=SECRET)
        for i in range(3):
            conv = make_conversation(s, channel=x, subject=f"order {i}")
            make_message(s, conversation=conv, text=f"Where is my order BB-60411{i}? Cold latte too.")
        user = make_user(s, role="admin")
        _, token = create_token(session=s, user_id=user.id, name="fuzz")
    app = create_desk_app(engine, Settings(secret_key="fuzz-secret-key-of-some-length", env="test"))
    with live_server(app) as base:
        yield base, {"Authorization": f"Bearer {token}"}


def test_fuzz_api_operations_never_answer_500(desk: tuple[str, dict[str, str]]) -> None:
    base, headers = desk
    schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @_FUZZ
        def run(case: Any) -> None:
            response = case.call(base_url=base, headers={**(case.headers or {}), **headers})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} {case.body!r:.200}: "
                                f"{response.status_code} {response.text[:200]}")  # fmt: skip

        run()
    assert not failures, "\n".join(failures[:20])


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30) | st.floats()
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)  # fmt: skip
_FIELDS = ["id", "text", "author", "author_id", "author_handle", "followers", "channel", "rating", "created_at",
           "updated_at", "url", "parent_id", "language", "kind", "direction", "public", "title"]  # fmt: skip
_RECORD = st.dictionaries(st.sampled_from(_FIELDS), _VALUES, max_size=8).map(
    lambda r: {"id": "fz", "text": "hello", **r}
)
_BODIES = st.one_of(
    _RECORD,
    st.lists(_RECORD, max_size=4),
    st.fixed_dictionaries({"messages": st.lists(_RECORD, max_size=4)}),
    _VALUES,
)


@given(body=_BODIES)
@_FUZZ
def test_fuzz_signed_webhook_bodies_never_answer_500(desk: tuple[str, dict[str, str]], body: Any) -> None:
    base, _ = desk
    raw = json.dumps(body, allow_nan=True).encode()
    headers = {"Content-Type": "application/json", "X-Trustdesk-Signature": sign_body(SECRET, raw)}
    response = httpx.post(f"{base}/api/v1/webhooks/hook", content=raw, headers=headers, timeout=60)
    assert response.status_code < 500, (raw[:300], response.text[:300])
