"""Drafting and checking replies for conversations in the inbox (the database side of ``respond``).

The drafter and checker are pure; this module gathers what they need from the inbox: the message
to answer and its analysis, the customer's history across channels, the brand's playbook and the
brand's recent public replies (so no two replies share their wording).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from trustdesk.errors import DomainError
from trustdesk.inbox.analysis import stored_analysis
from trustdesk.inbox.models import Brand, Channel, Conversation, Customer, Message
from trustdesk.respond.checker import check_reply
from trustdesk.respond.drafter import draft
from trustdesk.respond.extract import extract
from trustdesk.respond.llm import rewrite
from trustdesk.respond.playbook import (
    load_playbook,
    parse_playbook_text,
    playbook_named,
    shipped_playbook_path,
)
from trustdesk.respond.reading import Turn, read_conversation
from trustdesk.respond.schemas import CustomerHistory, DraftResult, Finding, Playbook
from trustdesk.respond.situations import choose_language, resolve_situation
from trustdesk.respond.text import clean, first_name
from trustdesk.settings import get_settings
from trustdesk.team.models import User
from trustdesk.understand.schemas import Analysis

RECENT_REPLIES = 200
THREAD_TURNS = 30
"""Earlier messages of the conversation the drafter reads (the newest ones; enough for any real thread)."""
COMPLAINT_INTENTS = frozenset(
    {"complaint", "bug_report", "billing_refund", "delivery", "account_access", "return_exchange", "safety"}
)


class DraftError(DomainError, LookupError):
    """Nothing to draft for (code ``respond.not_found`` or ``respond.nothing_to_answer``)."""

    status = 409


@dataclass(frozen=True)
class ReplyContext:
    """Everything the drafter and checker need about one conversation."""

    conversation: Conversation
    message: Message
    channel: Channel
    playbook: Playbook
    analysis: Analysis | None
    history: CustomerHistory
    recent_replies: list[str]
    thread: list[Turn]
    """The conversation's earlier messages, oldest first (what they said, what we said)."""
    agent: str | None
    """Who is assigned, so the draft is signed by the person who will post it."""


def playbook_for(brand: Brand) -> Playbook:
    """The brand's playbook: edited in the desk, else its shipped one by name, else the configured default.

    ``brand.settings["playbook"]`` is a shipped name only; a path is accepted only from the operator's
    ``TRUSTDESK_PLAYBOOK_PATH``.
    """
    edited = (brand.settings or {}).get("playbook_yaml")
    if isinstance(edited, str) and edited.strip():
        return _signed_as(parse_playbook_text(edited, source=f"playbook of {brand.slug}"), brand)
    named = (brand.settings or {}).get("playbook")
    if isinstance(named, str) and named:
        return _signed_as(playbook_named(named), brand)
    if shipped_playbook_path(brand.slug) is not None:
        return _signed_as(playbook_named(brand.slug), brand)
    return _signed_as(load_playbook(get_settings().playbook_path), brand)


def _signed_as(playbook: Playbook, brand: Brand) -> Playbook:
    """A playbook that names no brand of its own (the shipped default's placeholder) speaks as ``brand``."""
    if playbook.facts.brand and playbook.facts.brand != _placeholder_brand():
        return playbook
    return playbook.model_copy(update={"facts": playbook.facts.model_copy(update={"brand": brand.name})})


@cache
def _placeholder_brand() -> str:
    return load_playbook(None).facts.brand


def reply_context(*, session: Session, conversation_id: int) -> ReplyContext:
    """Gather the context for replying in ``conversation_id``, or raise ``DraftError``."""
    conv = session.get(Conversation, conversation_id)
    if conv is None:
        raise DraftError("respond.not_found", f"no conversation {conversation_id}")
    message = session.scalars(
        select(Message)
        .where(Message.conversation_id == conv.id, Message.direction == "inbound")
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    ).first()
    if message is None:
        raise DraftError("respond.nothing_to_answer", "this conversation has no message from a customer")
    brand = session.get_one(Brand, conv.brand_id)
    channel = session.get_one(Channel, conv.channel_id)
    assignee = session.get(User, conv.assignee_id) if conv.assignee_id is not None else None
    return ReplyContext(
        conversation=conv,
        message=message,
        channel=channel,
        playbook=playbook_for(brand),
        analysis=stored_analysis(message),
        history=customer_history(session=session, conversation=conv),
        recent_replies=recent_replies(session=session, brand_id=conv.brand_id),
        thread=thread_before(session=session, conversation_id=conv.id, message=message),
        agent=(assignee.name or None) if assignee is not None else None,
    )


def thread_before(*, session: Session, conversation_id: int, message: Message) -> list[Turn]:
    """The conversation's messages before ``message``, oldest first (the newest ``THREAD_TURNS``)."""
    rows = session.execute(
        select(Message.direction, Message.title, Message.text, Message.author_name)
        .where(
            Message.conversation_id == conversation_id,
            Message.id != message.id,
            Message.created_at <= message.created_at,
        )  # fmt: skip
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(THREAD_TURNS)
    ).all()
    return [
        Turn(direction, f"{title}\n{text}" if title else text, author or None)
        for direction, title, text, author in reversed(rows)
    ]


def draft_for_conversation(
    *, session: Session, conversation_id: int, role: str = "agent", agent: str | None = None
) -> DraftResult:
    """Ranked drafts answering the conversation's newest customer message, in the light of the whole thread.

    ``agent`` is the person who will post (they sign); without it, the conversation's assignee.
    """
    ctx = reply_context(session=session, conversation_id=conversation_id)
    analysis = ctx.analysis or _analyse_now(ctx)
    result = draft(
        text=_text(ctx.message),
        analysis=analysis,
        playbook=ctx.playbook,
        channel=ctx.channel.kind,
        author=ctx.message.author_name or None,
        rating=ctx.message.rating,
        history=ctx.history,
        recent_replies=ctx.recent_replies,
        role=role,
        seed=ctx.message.id,
        thread=ctx.thread,
        agent=agent or ctx.agent,
    )
    # Only does anything when TRUSTDESK_LLM_URL is set; a rewrite that adds a problem is thrown away.
    return rewrite(
        message=_text(ctx.message),
        result=result,
        playbook=ctx.playbook,
        analysis=analysis,
        channel=ctx.channel.kind,
        recent_replies=ctx.recent_replies,
        role=role,
    )


def check_for_conversation(
    *, session: Session, conversation_id: int, reply: str, role: str = "agent"
) -> list[Finding]:
    """The checker's findings for ``reply`` as an answer in ``conversation_id``."""
    ctx = reply_context(session=session, conversation_id=conversation_id)
    return check_reply(
        message=_text(ctx.message),
        reply=reply,
        playbook=ctx.playbook,
        channel=ctx.channel.kind,
        analysis=ctx.analysis,
        recent_replies=ctx.recent_replies,
        role=role,
        rating=ctx.message.rating,
    )


def playbook_hold(ctx: ReplyContext) -> str | None:
    """Why the brand's playbook holds replies in this conversation for a lead (None: it does not).

    The same decision the drafter makes (the situation's approval/escalation flags, an urgent human
    matter in the thread), computed from the stored analysis alone: no draft, no model call, no network.
    """
    analysis = ctx.analysis or _analyse_now(ctx)
    text = clean(_text(ctx.message))
    language, unsupported = choose_language(analysis, ctx.playbook, text)
    extraction = extract(text, ctx.playbook, language=language if not unsupported else "und")
    key, situation = resolve_situation(
        analysis=analysis, playbook=ctx.playbook, extraction=extraction, text=text, rating=ctx.message.rating
    )
    reading = read_conversation(
        text=text, analysis=analysis, rating=ctx.message.rating, thread=ctx.thread,
        author=ctx.message.author_name or None,
    )  # fmt: skip
    if situation.needs_approval or situation.escalate:
        return situation.reason or key
    if reading.care is not None:
        return f"urgent human matter ({reading.care})"
    return None


def customer_history(*, session: Session, conversation: Conversation) -> CustomerHistory:
    """What the desk knows of this customer from their other conversations, on any channel."""
    if conversation.customer_id is None:
        return CustomerHistory()
    customer = session.get(Customer, conversation.customer_id)
    # Another open thread counts as "the same issue" only with the same kind of complaint: a customer's
    # old question about opening hours is not what their missing parcel is about.
    others = session.execute(
        select(Conversation.status, Conversation.intent, Conversation.subject, Channel.kind)
        .join(Channel, Channel.id == Conversation.channel_id)
        .where(Conversation.customer_id == conversation.customer_id, Conversation.id != conversation.id)
        .order_by(Conversation.last_message_at.desc())
        .limit(50)
    ).all()
    unresolved = [
        subject[:80]
        for status, intent, subject, _ in others
        if status != "resolved" and intent in COMPLAINT_INTENTS and intent == conversation.intent
    ]
    name = (customer.display_name if customer else "") or ""
    return CustomerHistory(
        previous_conversations=len(others),
        unresolved_topics=unresolved[:3],
        channels=sorted({kind for *_, kind in others}),
        is_returning=bool(others),
        # The same rule as the drafter's: a display name's first word only if it reads as a name ("<SCRIPT",
        # "Mohsin65317336" and e-mail addresses greeted customers before).
        first_name=first_name(name),
    )


def recent_replies(*, session: Session, brand_id: int, limit: int = RECENT_REPLIES) -> list[str]:
    """The brand's newest outbound replies, for the "never the same wording twice" check."""
    rows = session.scalars(
        select(Message.text)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.brand_id == brand_id, Message.direction == "outbound")
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit)
    )
    return [text for text in rows if text]


def _text(message: Message) -> str:
    return f"{message.title}\n{message.text}" if message.title else message.text


def _analyse_now(ctx: ReplyContext) -> Analysis:
    # Not analysed yet (the job has not reached it): analyse in place rather than draft blind.
    from trustdesk.understand import analyze
    from trustdesk.understand.schemas import MessageInput

    return analyze(
        [
            MessageInput(
                text=_text(ctx.message),
                channel=ctx.channel.kind,
                author=ctx.message.author_name or None,
                rating=ctx.message.rating,
                followers=ctx.message.author_followers,
            )
        ]
    )[0]
