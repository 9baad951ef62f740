"""From a reading of the conversation to a reply: which moves it makes, and each move's wording."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from trustdesk.respond.answers import Answer
from trustdesk.respond.extract import Detail, Extraction
from trustdesk.respond.reading import NEGATIVE, Reading, cues_of
from trustdesk.respond.schemas import CustomerHistory, Playbook, ProposedCompensation
from trustdesk.respond.text import clean, contains_phrase, expand, fill, first_name, slots, tidy
from trustdesk.roles import ROLE_RANK, Role, rank

NEVER_PRAISED = frozenset(
    [
        "ads",
        "ad",
        "price",
        "prices",
        "wait",
        "queue",
        "line",
        "bill",
        "noise",
        "delay",
        "error",
        "bug",
        "bugs",
        "crash",
        "refund",
        "charge",
        "fee",
        "fees",
    ]
)
"""Nouns a reply never says it is glad about ("glad you liked the ads" from "little to no ads")."""
PEOPLE = frozenset(
    [
        "team",
        "staff",
        "people",
        "manager",
        "agent",
        "waiter",
        "waitress",
        "server",
        "barista",
        "baristas",
        "driver",
        "owner",
        "chef",
        "cashier",
        "family",
        "kids",
        "husband",
        "wife",
        "friends",
        "crew",
        "pilot",
    ]
)
"""Nouns for people: "sorry about your team" is never what the customer meant."""
SHORT_CHANNELS = frozenset({"x", "google_play"})
"""Channels where a reply is one short paragraph with a short signature."""
REVIEW_CHANNELS = frozenset(
    {"google_business", "tripadvisor", "trustpilot", "yelp", "app_store", "google_play"}
)
DM_CHANNELS = frozenset({"x", "facebook", "instagram"})
APP_CHANNELS = frozenset({"google_play", "app_store"})

_PROBLEM_PHRASES = {
    "double_charge": "the double charge",
    "cancel": "the trouble cancelling",
    "not_arrived": "the missing delivery",
    "lost_bag": "your luggage",
    "flight": "your flight",
    "hacked": "your account being hacked",
    "login": "the trouble signing in",
    "crash": "the crashes",
    "no_reply": "not hearing back from us",
    "ads": "the ads",
    "error": "the error",
    "rude": "how you were treated",
    "dirty": "the cleanliness",
    "noise": "the noise",
    "late": "the delay",
    "order_missing": "your order going missing",
    "suspended": "the suspension",
    "pay_again": "having to pay again",
    "lost_data": "the lost data",
    "cold": "the cold order",
    "price": "the price",
}
_DATA_WORDS = re.compile(
    r"\b(photos?|pictures|files?|recordings?|notes|books?|library|progress|saves?|brushes|videos?|data)\b",
    re.I,
)
_NEXT_BY_PROBLEM = {
    "cancel": "cancel",
    "double_charge": "billing",
    "not_arrived": "delivery",
    "lost_bag": "travel",
    "flight": "travel",
    "hacked": "account",
    "login": "account",
    "crash": "app",
    "lost_data": "app",
    "ads": "app",
    "error": "app",
    "order_missing": "app",
    "suspended": "account",
    "pay_again": "billing",
}
_NEXT_BY_INTENT = {
    "billing_refund": "billing",
    "delivery": "delivery",
    "bug_report": "app",
    "return_exchange": "delivery",
    "suggestion": "suggestion",
}
_NEED = {
    "billing": "your order number",
    "cancel": "your account details",
    "delivery": "your order number",
    "account": "your account details",
    "app": "your device model and app version",
    "travel": "your booking reference",
}
_LOWER_AFTER_GREETING = frozenset(
    [
        "Sorry",
        "Thanks",
        "Thank",
        "We",
        "We're",
        "We'll",
        "We've",
        "We'd",
        "Great",
        "Glad",
        "So",
        "That",
        "That's",
        "What",
        "Our",
        "Could",
        "Please",
        "Good",
        "With",
        "Above",
        "It's",
        "Point",
        "Really",
    ]
)
_RESOLVED_ARRIVED = re.compile(r"\b(arrived|came|turned up|received)\b", re.I)
_WE_TO_I = (
    (r"\bWe're\b", "I'm"), (r"\bwe're\b", "I'm"), (r"\bWe are\b", "I am"), (r"\bwe are\b", "I am"),
    (r"\bWe'll\b", "I'll"), (r"\bwe'll\b", "I'll"), (r"\bWe've\b", "I've"), (r"\bwe've\b", "I've"),
    (r"\bWe'd\b", "I'd"), (r"\bwe'd\b", "I'd"), (r"\bWe were\b", "I was"), (r"\bwe were\b", "I was"),
    (r"\bWe\b", "I"), (r"\bwe\b", "I"), (r"\bus\b", "me"), (r"\bOur\b", "My"), (r"\bour\b", "my"),
)  # fmt: skip
_CONTRACTIONS = (
    ("We're", "We are"), ("we're", "we are"), ("We'll", "We will"), ("we'll", "we will"),
    ("We've", "We have"), ("we've", "we have"), ("We'd", "We would"), ("we'd", "we would"),
    ("I'm", "I am"), ("I'll", "I will"), ("I've", "I have"), ("I'd", "I would"), ("it's", "it is"),
    ("It's", "It is"), ("that's", "that is"), ("That's", "That is"), ("shouldn't", "should not"),
    ("can't", "cannot"), ("you've", "you have"), ("you're", "you are"), ("isn't", "is not"),
)  # fmt: skip


@dataclass(slots=True)
class Context:
    """Everything the moves of one reply are made from."""

    playbook: Playbook
    language: str
    reading: Reading
    situation: str
    steps: list[str]
    message: str
    extraction: Extraction
    issue: Extraction
    kind: str | None
    public: bool
    intent: str
    answer: Answer | None
    values: dict[str, str]
    problem: str | None
    candidates: list[Detail]
    praise: list[Detail]
    gripes: list[Detail]
    offer: ProposedCompensation | None = None
    extra_facts: list[str] = field(default_factory=list)
    rating: float | None = None

    @classmethod
    def build(
        cls, *, playbook: Playbook, language: str, reading: Reading, situation: str, steps: Sequence[str],
        message: str, extraction: Extraction, issue: Extraction, kind: str | None, public: bool, intent: str,
        answer: Answer | None, history: CustomerHistory | None, name: str | None, agent: str | None,
        short_answer: str | None,
    ) -> Context:  # fmt: skip
        """Gather the slot values and the specifics this reply may name."""
        pb = playbook
        values = {"brand": pb.facts.short_name or pb.facts.brand, "when": pb.facts.reply_within or "shortly"}
        signer = (
            first_name(agent) or (agent.split()[0] if agent and agent.strip() else None) or pb.voice.signer
        )
        if signer:
            values["signer"] = signer
        if pb.facts.care_email:
            values["email"] = pb.facts.care_email
        greet_name = first_name(name)
        if greet_name and pb.voice.use_first_names:
            values["name"] = greet_name
        if reading.relation:
            values["relation"] = reading.relation
        if answer is not None:
            values["answer"] = answer.text
            if answer.link:
                values["link"] = answer.link
        if reading.thread == "answered_us" and short_answer:
            values["topic_answer"] = short_answer
        # The matter's specifics: the message's own, else (a follow-up such as "still nothing") the issue's.
        own = [d for d in extraction.details if d.kind != "unknown_staff" or d.tone != "praise"]
        pool = own or ([] if reading.thread == "resolved" else issue.details)
        problems = list(extraction.problems)
        if reading.thread != "resolved" and issue is not extraction:
            problems = list(dict.fromkeys([*problems, *issue.problems]))
        if reading.thread == "still_waiting" and len(problems) > 1:
            problems = [p for p in problems if p != "no_reply"]  # the silence is said by "waiting" itself
        praise = [d for d in pool if d.tone != "complaint" and d.kind != "version" and not d.contrast
                  and not set(d.keys) & NEVER_PRAISED]  # fmt: skip
        gripes = [d for d in pool if d.tone == "complaint"
                  and _speakable(d) and _is_target(message, d) and not set(d.keys) & PEOPLE]  # fmt: skip
        praise = [d for d in praise if _speakable(d)]
        gripes.sort(key=lambda d: d.kind == "location")  # "the wobbly tables" says more than "Old Town"
        grateful = reading.care is not None and "praise" in reading.cues and reading.stance != "apologise"
        if reading.stance == "thank" or grateful:
            candidates = sorted(praise, key=lambda d: ("staff", "product", "location", "topic").index(d.kind)
                                if d.kind in ("staff", "product", "location", "topic") else 9)  # fmt: skip
            candidates = [d for d in candidates if d.kind != "topic" or (d.tone == "praise" and not grateful)]
        else:
            candidates = [
                d for d in pool if d.kind in {"product", "location", "staff"} and d.tone != "praise"
            ]
            candidates += [d for d in pool if d.kind == "topic" and d.tone == "complaint" and _speakable(d)
                           and not set(d.keys) & PEOPLE and _is_target(message, d)]  # fmt: skip
        ctx = cls(pb, language, reading, situation, list(steps), message, extraction, issue, kind, public,
                  intent, answer, values, problems[0] if problems else None, candidates[:3], praise, gripes)  # fmt: skip
        if ctx.problem:
            values["problem"] = problem_phrase(ctx)
        need = _NEED.get(need_key(ctx) or "")
        if need and public:  # on e-mail we can see who they are: ask nothing we can look up ourselves
            values["need"] = need
        ctx.extra_facts = [answer.text] if answer else []
        if history is not None and reading.thread != "resolved":
            if history.unresolved_topics:
                values["unresolved"] = "1"
                values["topic_unresolved"] = clean(history.unresolved_topics[0])[:60]
            elif any(c and c != kind for c in history.channels):
                values["other_channel"] = "1"
        return ctx


_ORDERISH = frozenset(
    ["order", "orders", "delivery", "parcel", "package", "booking", "reservation", "subscription", "account"]
)
_TARGET_WORDS = re.compile(
    r"\b(was|were|is|are|isn'?t|wasn'?t|aren'?t|weren'?t|has|had|keeps?|kept|took|takes|doesn'?t|didn'?t|"
    r"won'?t|never|not|too|so|very|really|still|always|needs?)\b"
)


def _speakable(d: Detail) -> bool:
    """A topic the reply can name without garbling: "the tables", not "your phone" or "your team"."""
    if d.kind != "topic":
        return True
    first = d.text.split()[0].lower()
    return first not in {"your", "tu", "tus"} or bool(set(d.keys) & _ORDERISH)


def _is_target(message: str, d: Detail) -> bool:
    """The topic is what a judgement is about ("the queue took forever", "the wifi is slow"), not a
    word in passing ("delete it off the internet")."""
    if d.kind != "topic" or d.contrast:
        return True  # named after "but" or "shame about": the gripe itself
    words_after = r"(?:\W+\w+){0,1}\W+"
    head = re.escape(d.keys[0])
    return bool(re.search(rf"\b{head}\w*{words_after}{_TARGET_WORDS.pattern}", message, re.I)) or bool(
        re.search(rf"\b(?:cold|dirty|rude|slow|broken|noisy|small|tired|stale|old|terrible|awful|horrible|poor|"
                  rf"bad|great|lovely|amazing|excellent|friendly|clean|comfortable|spacious|delicious|"
                  rf"beautiful|nice|good|helpful|fantastic|wonderful|perfect|best)\W+(?:\w+\W+)?{head}",
                  message, re.I))  # fmt: skip


def problem_phrase(ctx: Context) -> str:
    """The problem in the desk's approved words, with the customer's own noun where one is certain."""
    kind = ctx.problem or ""
    if kind == "lost_data":
        m = _DATA_WORDS.search(ctx.message) or _DATA_WORDS.search(" ".join(d.text for d in ctx.issue.details))
        return f"losing your {m.group(1).lower()}" if m else "the lost data"
    if kind == "crash" and re.search(r"freez", ctx.message, re.I):
        return "the freezing"
    if kind == "not_arrived":
        thing = _surface(ctx, next((d for d in ctx.issue.details if d.kind == "product"), None))
        return f"your {thing} delivery" if thing else "your missing delivery"
    if kind == "error" and not re.search(r"\berror\b", ctx.message, re.I):
        target = next((d for d in ctx.candidates if d.kind == "topic"), None)
        return f"the problem with {target.text}" if target else "the problem"
    if kind == "cold":
        m = re.search(r"\b(cold|lukewarm)\b", ctx.message, re.I)
        what = next(
            (d for d in ctx.extraction.details if d.kind in {"product", "topic"} and d.tone != "praise"), None
        )
        if m and what is not None:
            return f"{product_text(what) if what.kind == 'product' else what.text} being {m.group(1).lower()}"
        return "the cold order"
    return _PROBLEM_PHRASES.get(kind, "this")


def _surface(ctx: Context, detail: Detail | None) -> str | None:
    """A product as the customer named it: the shortest of its names that the conversation uses."""
    if detail is None:
        return None
    text = f"{ctx.reading.issue} {ctx.message}"
    for product in ctx.playbook.facts.products:
        if product.name == detail.text:
            names = sorted([product.name, *product.aliases], key=len)
            return next((n for n in names if contains_phrase(text, n) and n[:1].isupper()), product.name)
    return detail.text


_APP_WORDS = re.compile(r"\b(app|apps|update|version|android|iphone|ios)\b", re.I)


def need_key(ctx: Context) -> str | None:
    """What kind of matter this is, for the details we would need to check it."""
    if ctx.problem in _NEXT_BY_PROBLEM:
        key = _NEXT_BY_PROBLEM[ctx.problem]
        return None if key == "app" and not _APP_WORDS.search(ctx.message) else key
    return _NEXT_BY_INTENT.get(ctx.intent) if ctx.reading.stance != "thank" else None


def next_key(ctx: Context) -> str:
    """Which "what happens next" fits: by the problem, the intent, the channel, or a plain question."""
    r = ctx.reading
    if r.thread == "answered_us":
        return "answered"
    if r.thread == "still_waiting":
        return "waiting"
    if ctx.problem in _NEXT_BY_PROBLEM:
        key = _NEXT_BY_PROBLEM[ctx.problem]
        return (
            "delivery" if key == "app" and ctx.kind not in APP_CHANNELS and ctx.intent == "delivery" else key
        )
    if ctx.intent in _NEXT_BY_INTENT:
        key = _NEXT_BY_INTENT[ctx.intent]
        if key == "app" and ctx.kind not in APP_CHANNELS and not _APP_WORDS.search(ctx.message):
            return "default"
        return key
    if "question" in r.cues and ctx.answer is None:
        return "question"
    if not (r.cues & {"complaint", "failure", "sadness", "praise", "suggestion"}) and not ctx.candidates:
        return "open"  # "Yep", "? hello": nothing to go on, so ask
    if ctx.kind in REVIEW_CHANNELS - APP_CHANNELS:
        return "venue"
    return "default"


def plan(ctx: Context) -> list[str]:
    """The moves of this reply, in order, from the stance and the thread (within the situation's steps)."""
    r = ctx.reading
    allowed = set(ctx.steps)
    if "holding" in allowed:
        return [s for s in ctx.steps if s != "care" or r.care] + ([] if "next" in allowed else ["next"])
    if r.thread == "resolved":
        late = bool(cues_of(ctx.message) & NEGATIVE)  # "got it, thanks. Took four channels though!"
        moves = (
            ["greet", "thank", "apologise", "signoff"]
            if late
            else ["greet", "thank", "invite_back", "signoff"]
        )
    elif r.thread == "answered_us":
        moves = ["greet", "thank", "answer", "next", "private", "signoff"]
    elif r.stance == "thank":
        moves = ["greet", "care", "thank", "reference", "answer", "invite_back", "signoff"]
    elif r.stance == "apologise":
        first = ["care", "apologise"] if r.care == "bereavement" else ["apologise", "care"]
        moves = ["greet", *first, "returning", "answer", "next", "remedy", "private", "signoff"]
    else:
        moves = ["greet", "care", "thank", "reference", "returning", "answer", "next", "private", "invite_back",
                 "signoff"]  # fmt: skip
    if r.care == "bereavement" and "apologise" in moves and "care" in moves:
        moves.remove("apologise")  # "so sorry for your loss" is the one apology such a reply makes
    if "remedy" not in allowed or ctx.offer is None or r.thread == "still_waiting":
        moves = [m for m in moves if m != "remedy"]
    return [m for m in moves if not _skip(m, ctx)]


def _skip(step: str, ctx: Context) -> bool:
    r = ctx.reading
    if step == "care":
        return r.care is None or (r.care == "occasion" and r.stance == "thank")
    if step == "answer":
        return ctx.answer is None
    grateful = r.care is not None and "praise" in r.cues and r.stance != "apologise"
    if step in {"next", "private"} and grateful and not ctx.problem:
        return True  # a thank-you in grief needs no "we'll look into it"
    if step == "next":
        if r.thread == "answered_us":
            return False
        if ctx.answer is not None:
            return r.stance != "apologise" or ctx.problem is None
        if r.stance == "thank":
            return True
        # "help" on a review without a problem or question: thanks and the note are enough; elsewhere the
        # customer wrote to us for something, so the reply says what happens next.
        on_review = ctx.kind in REVIEW_CHANNELS - APP_CHANNELS  # an app review wants to hear what happens
        return on_review and r.stance == "help" and not ctx.problem and "question" not in r.cues and next_key(
            ctx) in {"default", "venue"} and not ctx.gripes  # fmt: skip
    if step == "private":
        asked = any(
            re.search(r"\b(DM|direct message|email|e-mail|send us|reply with)\b", w, re.I) for w in r.we_said
        )
        if asked and r.thread in {"still_waiting", "follow_up"}:
            return True  # we asked for their details before: asking again would repeat us
        if re.search(
            r"\b(I|we) (?:have |already |did )?(?:e-?mailed|DMed|messaged|wrote)\b", ctx.message, re.I
        ):
            return True  # they have written to us already: the next step is ours
        if "need" not in ctx.values or (ctx.answer is not None and ctx.problem is None):
            return True
        return not _private_key(ctx)
    if step == "invite_back":
        venue = ctx.kind in REVIEW_CHANNELS - APP_CHANNELS
        return r.stance == "apologise" or (r.stance == "help" and (not venue or r.care is not None))
    if step == "reference":
        return not _reference_options(ctx)
    if step == "returning":
        return "unresolved" not in ctx.values and "other_channel" not in ctx.values
    return False


def _private_key(ctx: Context) -> str | None:
    if not ctx.public:
        return "email_channel"
    if ctx.kind in DM_CHANNELS:
        return "dm"
    return "email" if "email" in ctx.values else None


def _reference_options(ctx: Context) -> list[tuple[str, Detail]]:
    """(variant, detail) pairs a reference move could name, best first."""
    r = ctx.reading
    if r.care is not None:
        return []
    order = ("product", "staff", "location", "topic")
    praised = [
        (d.kind, d) for d in ctx.praise if d.kind in order and (d.kind != "topic" or d.tone == "praise")
    ]
    praised.sort(key=lambda kd: order.index(kd[0]))
    gripes = [("gripe." + d.kind, d) for d in ctx.gripes if d.kind in {"topic", "product", "location"}]
    if r.stance == "thank":
        if "suggestion" in r.cues:
            return [("suggestion", None), *[("praise." + k, d) for k, d in praised]]  # type: ignore[list-item]
        return gripes[:1] + [("praise." + k, d) for k, d in praised]
    sincere = "sarcasm" not in r.cues and not (ctx.problem and "!!" in ctx.message)  # "Love the update!!!!"
    low_rating = ctx.rating is not None and ctx.rating <= 2
    if (
        r.stance == "help"
        and "praise" in r.cues
        and ctx.kind in REVIEW_CHANNELS
        and sincere
        and not low_rating
    ):
        # A mixed review: say what they enjoyed as well as what went wrong.
        return [("mixed." + k, d) for k, d in praised] + (gripes[:1] if not ctx.problem else [])
    if r.stance == "help" and not ctx.problem and "question" not in r.cues:
        return gripes[:1]
    return []


def _keys(step: str, ctx: Context, detail: Detail | None) -> list[str]:
    """Which phrasing variants fit this move, most specific first."""
    r = ctx.reading
    formality = ctx.playbook.voice.formality
    short = ctx.kind in SHORT_CHANNELS
    if step == "greet":
        base = "named" if "name" in ctx.values else "default"
        if "holding" in ctx.steps or r.care is not None:
            formality = "formal"  # a legal letter or a bereavement is not answered with "Hey"
        return [f"{base}.{formality}", base]
    if step == "signoff":
        base = "signed" if "signer" in ctx.values else "default"
        return [f"{base}.short", base] if short else [f"{base}.{formality}", base]
    if step == "care":
        return [f"{r.care}.relation", r.care or ""] if "relation" in ctx.values else [r.care or ""]
    if step == "thank":
        if r.thread == "resolved":
            return ["resolved.arrived", "resolved"] if _RESOLVED_ARRIVED.search(ctx.message) else ["resolved"]
        if r.thread == "answered_us":
            return ["answered.topic", "answered"] if "topic_answer" in ctx.values else ["answered"]
        if ctx.situation.startswith("rating_only"):
            return ["rating"]
        if r.care is not None and "praise" in r.cues and r.stance != "thank":
            return [f"grateful.{detail.kind}", "grateful"] if detail else ["grateful"]
        if r.stance == "thank":
            return [f"praise.{detail.kind}", "praise"] if detail else ["praise"]
        if ctx.intent == "suggestion":
            return ["suggestion.topic", "suggestion"] if detail else ["suggestion"]
        if "question" in r.cues and not ctx.problem and not r.cues & NEGATIVE:
            return ["question"]
        if next_key(ctx) == "open":
            return ["default"]
        on_review = ctx.kind in REVIEW_CHANNELS
        if ctx.problem:
            return ["review.problem", "help.problem"] if on_review else ["help.problem", "help"]
        if detail is not None and detail.kind == "topic":
            return ["review.topic", "help.topic"] if on_review else ["help.topic", "help"]
        return ["review", "help"] if on_review else ["help"]
    if step == "apologise":
        if ctx.situation.startswith("rating_only"):
            return ["rating"]
        if r.thread == "still_waiting":
            return ["waiting.problem", "waiting"] if ctx.problem else ["waiting"]
        if r.thread == "resolved":
            return ["resolved_late"]
        if r.service_failure and ctx.problem:
            silence = "no_reply" in ctx.extraction.problems and ctx.problem != "no_reply"
            return (
                ["failure.problem.no_reply", "failure.problem", "problem"]
                if silence
                else ["failure.problem", "problem"]
            )
        if (
            ctx.problem
            and ctx.problem in _PROBLEM_PHRASES
            or ctx.problem in {"lost_data", "not_arrived", "cold"}
        ):
            return ["problem"]
        if detail is not None and detail.kind in {"topic", "product", "location"}:
            return [detail.kind, "default"]
        return ["default"]
    if step == "reference":
        if "holding" in ctx.steps:
            return [f"issue.{detail.kind}"] if detail else []
        return []  # chosen in _phrase from _reference_options
    if step == "answer":
        return ["link"] if "link" in ctx.values else []
    if step == "next":
        key = next_key(ctx)
        if "holding" in ctx.steps:
            return [ctx.situation.split(".")[0], "holding"]
        if any(d.kind == "unknown_staff" for d in ctx.extraction.details) and r.stance == "apologise":
            return ["staff", key]
        if key == "answered" and ctx.problem:
            return ["answered.problem", key]
        location = next((d for d in ctx.extraction.details if d.kind == "location"), None)
        if key == "venue" and location is not None:
            ctx.values["location"] = location.text
            return ["venue.location", key]
        return [key]
    if step == "private":
        pk = _private_key(ctx)
        return [pk] if pk else []
    if step == "remedy":
        if ctx.offer is None:
            return []
        return ["pending"] if ctx.offer.needs_approval else ["offer"]
    if step == "holding":
        return [ctx.situation.split(".")[0]]
    if step == "returning":
        return ["unresolved"] if "unresolved" in ctx.values else ["other_channel"]
    if step == "invite_back":
        stance = "thank" if r.thread == "resolved" else r.stance
        return [f"{stance}.app", stance] if ctx.kind in APP_CHANNELS else [stance]
    return []


def _adjacent(ctx: Context, a: Detail | None, b: Detail | None) -> bool:
    """Two details named in one breath ("ebook reader app") make one thing, not two to thank for."""
    if a is None or b is None:
        return False
    low = ctx.message.lower()
    for ka in a.keys:
        for kb in b.keys:
            if re.search(rf"\b{re.escape(ka)}\W+(?:\w+\W+)?{re.escape(kb)}\b|\b{re.escape(kb)}\W+(?:\w+\W+)?"
                         rf"{re.escape(ka)}\b", low):  # fmt: skip
                return True
    return False


def _detail_values(detail: Detail | None) -> dict[str, str]:
    if detail is None:
        return {}
    slot = "topic" if detail.kind in {"unknown_staff", "topic"} else detail.kind
    return {slot: product_text(detail) if detail.kind == "product" else detail.text}


def product_text(detail: Detail) -> str:
    """A product with its article where it needs one ("the flat white", but "Bluebird Rewards")."""
    last = detail.text.split()[-1]
    return detail.text if last[:1].isupper() else f"the {detail.text}"


def _voice(text: str, ctx: Context) -> str:
    """The playbook's person and formality: "I" for a personal voice, no contractions when formal."""
    voice = ctx.playbook.voice
    if voice.person == "I" and ctx.language == "en":
        for pattern, repl in _WE_TO_I:
            text = re.sub(pattern, repl, text)
    if voice.formality == "formal" and ctx.language == "en":
        for short, full in _CONTRACTIONS:
            text = re.sub(rf"\b{re.escape(short)}\b", full, text)
        text = text.replace("!", ".")
    return text


def _phrase(step: str, ctx: Context, detail: Detail | None, rng: random.Random, short: bool) -> str | None:
    table = ctx.playbook.phrases[ctx.language].get(step, {})
    values = dict(ctx.values)
    keys = _keys(step, ctx, detail)
    if step == "reference" and "holding" not in ctx.steps:
        options = [
            (k, d)
            for k, d in _reference_options(ctx)
            if d is None or (d != detail and not _adjacent(ctx, d, detail))
        ]
        if not options:
            return None
        key, detail = options[0]
        keys = [key]
    if step == "thank" and "topic_answer" in values:
        values["topic"] = values["topic_answer"]
    if step == "returning" and "topic_unresolved" in values:
        values["topic"] = values["topic_unresolved"]
    if step in {"thank", "apologise", "reference"}:
        values.update(_detail_values(detail))
    if step == "remedy" and ctx.offer is not None:
        values["offer"] = ctx.offer.text
    # A reference with nothing specific to say says nothing ("we've noted the details" fits any message).
    fallbacks = [] if step == "reference" else ["default"]
    for key in [*keys, *fallbacks]:
        usable = [t for t in table.get(key, []) if slots(t) <= values.keys()]
        if usable:
            pick = min(usable, key=len) if short else rng.choice(usable)
            wording = _voice(expand(pick, rng, shortest=short), ctx)
            return fill(wording, values)
    return None


def compose(
    ctx: Context, steps: list[str], rng: random.Random, detail: Detail | None, short: bool = False
) -> str:
    """One reply: the moves' wordings, greeting and signature on their own lines (one line on X and Play)."""
    greet, body, signoff = "", [], ""
    for step in steps:
        text = _phrase(step, ctx, detail if step in {"thank", "apologise", "reference"} else None, rng, short)
        if not text:
            continue
        if step == "greet":
            greet = text
        elif step == "signoff":
            signoff = text
        else:
            body.append(text)
    if ctx.kind in SHORT_CHANNELS:
        text = " ".join(body)
        if greet and text.split(" ", 1)[0] in _LOWER_AFTER_GREETING:
            text = text[0].lower() + text[1:]  # "Hi Daniel, sorry to hear..." reads as one tweet
        return tidy(" ".join(p for p in (greet, text, signoff) if p))
    return tidy("\n".join(p for p in (greet, " ".join(body), signoff) if p))


def offer_for(ctx: Context, role: str) -> ProposedCompensation | None:
    """The one rule for this situation (most specific key first) that fits what the message is about."""
    pb = ctx.playbook
    if ctx.reading.stance != "apologise":
        return None
    rule_for_platform = pb.platforms.get(ctx.kind or "")
    if rule_for_platform is not None and rule_for_platform.no_incentives:
        return None
    text = f"{ctx.message} {' '.join(d.text for d in ctx.issue.details)}"
    for key in (ctx.situation, ctx.situation.split(".")[0], ctx.intent, "negative"):
        for rule in pb.compensation:
            if key not in rule.situations:
                continue
            if rule.when_mentions and not any(contains_phrase(text, w) for w in rule.when_mentions):
                continue
            if any(contains_phrase(text, w) for w in rule.unless_mentions):
                continue
            needs = ROLE_RANK[rule.min_role] > rank(role, ROLE_RANK[Role.AGENT])
            wording = rule.offer.get(ctx.language) or rule.offer.get("en") or next(iter(rule.offer.values()))
            return ProposedCompensation(rule_id=rule.id, text=wording, needs_approval=needs,
                                        approver_role=rule.min_role)  # fmt: skip
    return None


__all__ = ["Context", "clean", "compose", "offer_for", "plan", "problem_phrase"]
