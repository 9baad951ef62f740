"""The one permission table: which role may do what, and which permission every route needs.

Roles are ranked; a permission names the lowest role that holds it. A role on a brand comes from the
user's membership of that brand (or, for a user with no memberships at all, from ``User.role``).
Routes are keyed by (method, path template) exactly as the app declares them; a route missing here
is refused, and the authorisation matrix test fails until it is declared.
"""

from __future__ import annotations

from trustdesk.roles import ROLE_RANK

PUBLIC = "public"
"""No sign-in needed (sign-in page, health check, static files)."""
SIGNED_IN = "signed_in"
"""Any signed-in user, whatever their role (sign out, own password)."""

PERMISSIONS: dict[str, str] = {
    "inbox.read": "viewer",
    "conversation.work": "agent",  # assign, tag, snooze, resolve, notes
    "conversation.hide": "lead",  # resolve a negative without a public reply, mark a negative as spam
    "reply.write": "agent",  # draft, check, submit
    "reply.post": "agent",  # post an approved reply (manual channel: mark as posted)
    "reply.approve": "lead",
    "audit.read": "lead",
    "sla.manage": "lead",
    "knowledge.manage": "lead",  # the brand's FAQ answers, policies and links
    "playbook.manage": "admin",
    "team.manage": "admin",
}
"""Permission -> the lowest role that holds it."""

ROUTE_PERMISSIONS: dict[tuple[str, str], str] = {
    # web desk (trustdesk.web)
    ("GET", "/"): SIGNED_IN,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): SIGNED_IN,
    ("POST", "/brand"): SIGNED_IN,
    ("GET", "/account/password"): SIGNED_IN,
    ("POST", "/account/password"): SIGNED_IN,
    ("GET", "/inbox"): "inbox.read",
    ("GET", "/inbox/rows"): "inbox.read",
    ("POST", "/inbox/bulk"): "conversation.work",
    ("GET", "/events"): "inbox.read",
    ("GET", "/c/{conversation_id}"): "inbox.read",
    ("GET", "/c/{conversation_id}/thread"): "inbox.read",
    ("GET", "/c/{conversation_id}/drafts"): "reply.write",
    ("POST", "/c/{conversation_id}/check"): "reply.write",
    ("POST", "/c/{conversation_id}/replies"): "reply.write",
    ("POST", "/c/{conversation_id}/notes"): "conversation.work",
    ("POST", "/c/{conversation_id}/assign"): "conversation.work",
    ("POST", "/c/{conversation_id}/tags"): "conversation.work",
    ("POST", "/c/{conversation_id}/snooze"): "conversation.work",
    ("POST", "/c/{conversation_id}/resolve"): "conversation.work",
    ("POST", "/c/{conversation_id}/reopen"): "conversation.work",
    ("POST", "/c/{conversation_id}/spam"): "conversation.work",
    ("POST", "/c/{conversation_id}/not-spam"): "conversation.hide",
    ("POST", "/customers/{customer_id}/merge"): "conversation.work",
    ("POST", "/customers/{customer_id}/unmerge"): "conversation.work",
    ("POST", "/suggestions/{suggestion_id}/dismiss"): "conversation.work",
    ("GET", "/approvals"): "reply.approve",
    ("POST", "/replies/{reply_id}/approve"): "reply.approve",
    ("POST", "/replies/{reply_id}/return"): "reply.approve",
    ("GET", "/outbox"): "inbox.read",
    ("POST", "/outbox/{item_id}/posted"): "reply.post",
    ("GET", "/settings/team"): "team.manage",
    ("POST", "/settings/team"): "team.manage",
    ("POST", "/settings/team/{user_id}"): "team.manage",
    ("GET", "/settings/playbook"): "playbook.manage",
    ("POST", "/settings/playbook"): "playbook.manage",
    ("GET", "/settings/sla"): "sla.manage",
    ("POST", "/settings/sla"): "sla.manage",
    ("GET", "/settings/knowledge"): "knowledge.manage",
    ("POST", "/settings/knowledge"): "knowledge.manage",
    ("POST", "/settings/knowledge/import"): "knowledge.manage",
    ("GET", "/settings/knowledge/{entry_id}"): "knowledge.manage",
    ("POST", "/settings/knowledge/{entry_id}"): "knowledge.manage",
    ("POST", "/settings/knowledge/{entry_id}/delete"): "knowledge.manage",
    ("GET", "/audit"): "audit.read",
    ("GET", "/settings/tokens"): SIGNED_IN,
    ("POST", "/settings/tokens"): SIGNED_IN,
    ("POST", "/settings/tokens/{token_id}/revoke"): SIGNED_IN,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/favicon.ico"): PUBLIC,
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("GET", "/api/docs"): PUBLIC,
    # JSON API (trustdesk.api), token auth; webhooks authenticate by HMAC signature instead of a user
    ("GET", "/api/v1/conversations"): "inbox.read",
    ("GET", "/api/v1/conversations/{conversation_id}"): "inbox.read",
    ("GET", "/api/v1/messages/search"): "inbox.read",
    ("GET", "/api/v1/channels"): "inbox.read",
    ("POST", "/api/v1/conversations/{conversation_id}/drafts"): "reply.write",
    ("POST", "/api/v1/replies/check"): "reply.write",
    ("POST", "/api/v1/webhooks/{channel_name}"): PUBLIC,
}
"""(method, path template) -> permission, PUBLIC or SIGNED_IN."""


def role_allows(role: str | None, permission: str) -> bool:
    """True when ``role`` holds ``permission`` (PUBLIC always; SIGNED_IN for any role)."""
    if permission == PUBLIC:
        return True
    if role is None or role not in ROLE_RANK:
        return False
    if permission == SIGNED_IN:
        return True
    needed = PERMISSIONS.get(permission)
    return needed is not None and ROLE_RANK[role] >= ROLE_RANK[needed]


def route_permission(method: str, path: str) -> str | None:
    """The permission declared for a route, or None when it is not declared (deny)."""
    return ROUTE_PERMISSIONS.get((method.upper(), path))
