"""Data shapes of trustdesk.respond: the playbook, findings, customer history and draft results."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Severity = Literal["info", "warning", "violation"]
"""``info`` explains, ``warning`` may be posted over by anyone, ``violation`` needs a lead."""

Step = Literal[
    "greet",
    "thank",
    "acknowledge",
    "apologise",
    "reference",
    "returning",
    "answer",
    "explain",
    "remedy",
    "private",
    "holding",
    "invite_back",
    "signoff",
    "care",
    "next",
]
STEPS: tuple[str, ...] = Step.__args__  # type: ignore[attr-defined]

OfferRole = Literal["agent", "lead", "admin"]
"""Who may make an offer: a subset of ``trustdesk.roles.Role`` (a viewer never offers anything)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Finding(BaseModel):
    """One named observation about a reply (or about why there is none)."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    message: str
    span: str | None = None
    """The offending words of the reply, masked when they are personal data."""


class CustomerHistory(BaseModel):
    """What the inbox knows about this customer across channels (all optional)."""

    previous_conversations: int = 0
    unresolved_topics: list[str] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)
    is_returning: bool = False
    first_name: str | None = None

    @property
    def returning(self) -> bool:
        """True when the customer has talked to the desk before."""
        return self.is_returning or self.previous_conversations > 0


class ProposedCompensation(BaseModel):
    """An offer from the compensation rules, and whether the drafting role may make it alone."""

    rule_id: str
    text: str
    needs_approval: bool
    approver_role: str


class DraftResult(BaseModel):
    """A ranked set of drafts for one message: ``reply`` is the best, ``alternatives`` the runners-up."""

    reply: str | None
    alternatives: list[str] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    escalate: bool = False
    needs_approval: bool = False
    approval_reason: str | None = None
    compensation: ProposedCompensation | None = None
    language: str = "en"
    situation: str = "default"
    details: list[str] = Field(default_factory=list)
    """The specifics of the message the reply refers to (never personal data)."""
    seed: int = 0
    stance: Literal["thank", "apologise", "help"] | None = None
    """What the reply does: thanks for praise, apologises, or acknowledges and helps (None: no reply)."""
    care: str | None = None
    """An urgent human matter the reply answers with care (bereavement, health, children...)."""
    thread: str = "new"
    """Where the conversation stands: new, answered_us, still_waiting, resolved or follow_up."""
    answer_id: str | None = None
    """The knowledge entry or FAQ whose approved wording the reply uses."""


# --- the playbook -----------------------------------------------------------------------------


class Voice(_Strict):
    """How the brand sounds."""

    person: Literal["we", "I"] = "we"
    formality: Literal["formal", "neutral", "casual"] = "neutral"
    use_first_names: bool = True
    emoji: Literal["never", "sparing", "allowed"] = "never"
    signer: str | None = None
    """Who signs when the desk passes no agent (None: the brand's name alone)."""
    max_length: dict[str, int] = Field(default_factory=lambda: {"default": 1200})
    """Maximum reply length in characters per channel kind; ``default`` for the rest."""


class Situation(_Strict):
    """What a good reply does in one situation (steps in order) and how it is routed."""

    steps: list[Step]
    public_reply: bool = True
    escalate: bool = False
    needs_approval: bool = False
    reason: str = ""
    """Why it is escalated or held back; shown to the team."""


class CompensationRule(_Strict):
    """One offer the desk may make, for which situations, by which role, within which limit."""

    id: str
    situations: list[str]
    offer: dict[str, str]
    """The exact offer wording per language, e.g. ``{"en": "a replacement drink on us"}``."""
    min_role: OfferRole = "lead"
    when_mentions: list[str] = Field(default_factory=list)
    """The offer fits only messages that name one of these (empty: any message of its situations)."""
    unless_mentions: list[str] = Field(default_factory=list)
    """...and none of these ("a replacement drink" is no answer to an undelivered subscription)."""
    max_value: float | None = None
    currency: str | None = None
    reason: str = ""


class PlatformRule(_Strict):
    """Rules of one channel kind."""

    public: bool = True
    max_length: int | None = None
    no_incentives: bool = False
    note: str = ""


class Staff(_Strict):
    name: str
    role: str = ""
    location: str | None = None


class Location(_Strict):
    name: str
    city: str = ""
    aliases: list[str] = Field(default_factory=list)


class Product(_Strict):
    name: str
    aliases: list[str] = Field(default_factory=list)


class Faq(_Strict):
    """A fact the desk may state, and the words that show a message asks about it."""

    id: str
    keywords: list[str]
    answer: dict[str, list[str]]
    """Per language, one or more approved wordings of the same fact (several let replies vary)."""

    @field_validator("answer", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
        return value

    def answers(self) -> list[str]:
        """Every approved wording in every language."""
        return [a for wordings in self.answer.values() for a in wordings]


class Facts(_Strict):
    """Everything the desk may state as fact; anything else is an invented fact."""

    brand: str
    short_name: str | None = None
    care_email: str | None = None
    reply_within: str | None = None
    """When the team replies to a matter it has to check ("today", "within one working day")."""
    order_pattern: str | None = None
    """Regular expression of this brand's order numbers (personal data in public replies)."""
    opening_hours: list[str] = Field(default_factory=list)
    shipping_countries: list[str] = Field(default_factory=list)
    return_window: str | None = None
    statements: list[str] = Field(default_factory=list)
    """Other sentences the desk may state verbatim (prices, policies)."""
    products: list[Product] = Field(default_factory=list)
    staff: list[Staff] = Field(default_factory=list)
    locations: list[Location] = Field(default_factory=list)
    apps: list[str] = Field(default_factory=list)
    faq: list[Faq] = Field(default_factory=list)


Phrases = dict[str, dict[str, dict[str, list[str]]]]
"""language -> step -> variant key (emotion, intent, detail kind or ``default``) -> templates."""


class Playbook(_Strict):
    """One brand's playbook: voice, situations, phrasings, facts, compensation and platform rules."""

    name: str
    extends: str | None = None
    languages: list[str] = Field(default_factory=lambda: ["en"])
    voice: Voice = Field(default_factory=Voice)
    situations: dict[str, Situation]
    phrases: Phrases
    facts: Facts
    compensation: list[CompensationRule] = Field(default_factory=list)
    platforms: dict[str, PlatformRule] = Field(default_factory=dict)
    channels: dict[str, str] = Field(default_factory=dict)
    """Channel name -> channel kind (``play-store: google_play``)."""
    forbidden_phrases: list[str] = Field(default_factory=list)
    escalation_triggers: dict[str, list[str]] = Field(default_factory=dict)
    """Situation (``safety``, ``legal_threat``, ``press``) -> words that trigger it."""
    recent_window: int = 500
    """How many recent replies the drafter compares against for variety."""
