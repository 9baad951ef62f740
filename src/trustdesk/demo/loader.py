"""Load the Bluebird Coffee demo into an empty database through the normal ingestion path."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from trustdesk.collect.formats import parse_generic_object
from trustdesk.collect.imports import run_import
from trustdesk.collect.records import ParsedRecord, Rejected
from trustdesk.demo import load_brand, shifted_messages
from trustdesk.errors import DomainError
from trustdesk.inbox.channels import create_brand, create_channel, get_brand
from trustdesk.inbox.identity import merge_customers
from trustdesk.inbox.models import Brand, Customer, CustomerSuggestion, Message
from trustdesk.store.base import utcnow
from trustdesk.store.db import unit_of_work
from trustdesk.team.models import Membership, User


class NotADemoDatabase(DomainError, RuntimeError):
    """The database holds brands or users that are not the demo's (code ``demo.not_a_demo_database``)."""

    code = "demo.not_a_demo_database"
    status = 409


def check_demo_database(engine: Engine) -> None:
    """Refuse a database that holds anything but the demo: the demo adds an admin with a public password."""
    spec = load_brand()
    demo_users = {u["email"] for u in spec["users"]}
    with unit_of_work(engine) as session:
        brands = set(session.scalars(select(Brand.slug)))
        emails = set(session.scalars(select(User.email)))
    others = sorted(brands - {spec["slug"]}) + sorted(emails - demo_users)
    if others:
        shown = ", ".join(others[:5]) + (" …" if len(others) > 5 else "")
        raise NotADemoDatabase(
            f"{engine.url.render_as_string(hide_password=True)} already holds data that is not the demo's ({shown}). "
            "The demo signs in with a password printed in the README, so it only runs in a database of its "
            "own: unset TRUSTDESK_DEMO_DATABASE_URL (default ./trustdesk-demo.db) or point it at an empty one."
        )


def _confirm_known_customers(engine: Engine, names: set[str]) -> None:
    """Merge the "same name" suggestions of the people the demo team already knows (audited as system)."""
    with unit_of_work(engine, write=True) as session:
        rows = session.execute(
            select(CustomerSuggestion.customer_id, CustomerSuggestion.candidate_id)
            .join(Customer, Customer.id == CustomerSuggestion.candidate_id)
            .where(CustomerSuggestion.status == "open", Customer.display_name.in_(names))
            .order_by(CustomerSuggestion.customer_id)
        ).all()
        survivor_of: dict[int, int] = {}
        for merged, candidate in rows:
            survivor = survivor_of.get(candidate, candidate)
            if merged != survivor and session.get_one(Customer, merged).merged_into_id is None:
                merge_customers(session=session, survivor_id=survivor, merged_id=merged)
                survivor_of[merged] = survivor


@dataclass(frozen=True)
class DemoSummary:
    """What ``load_demo`` did."""

    created: bool
    messages: int
    rejected: list[dict[str, object]]
    users: list[tuple[str, str]]  # (email, role)
    password: str


def load_demo(engine: Engine, *, now: datetime | None = None, analyze: bool = True) -> DemoSummary:
    """Create the demo brand, channels, users and messages unless the brand exists; analyse them."""
    spec = load_brand()
    users = [(u["email"], u["role"]) for u in spec["users"]]
    with unit_of_work(engine) as session:
        if get_brand(session=session, slug=spec["slug"]) is not None:
            count = session.scalar(select(func.count()).select_from(Message)) or 0
            return DemoSummary(False, count, [], users, spec["demo_password"])
        brand = create_brand(session=session, slug=spec["slug"], name=spec["name"], timezone=spec["timezone"])
        brand.settings = {
            key: spec[key]
            for key in (
                "care_email",
                "website",
                "signature",
                "locations",
                "staff",
                "products",
                "policies",
                "sla",
            )
            if key in spec
        }
        for ch in spec["channels"]:
            create_channel(
                session=session,
                brand_id=brand.id,
                name=ch["name"],
                kind=ch["kind"],
                display_name=ch.get("display_name", ""),
                external_id=ch.get("account"),
                url=ch.get("url"),
                is_public=ch.get("public"),
            )
        from trustdesk.team.users import create_user

        for user in spec["users"]:
            created = create_user(
                session=session,
                email=user["email"],
                name=user["name"],
                role=user["role"],
                password=spec["demo_password"],
            )
            session.add(Membership(user_id=created.id, brand_id=brand.id, role=user["role"]))
        default_channel = spec["channels"][0]["name"]
    records: list[ParsedRecord | Rejected] = [
        parse_generic_object(obj, line=i) for i, obj in enumerate(shifted_messages(now or utcnow()), start=1)
    ]
    report = run_import(
        engine=engine, channel_name=default_channel, records=records, source="demo", format="jsonl"
    )
    _confirm_known_customers(engine, set(spec.get("confirmed_customers", [])))
    load_demo_knowledge(engine, slug=spec["slug"])
    if analyze:
        from trustdesk.worker.analysis import analyze_all_pending

        analyze_all_pending(engine=engine)
    return DemoSummary(True, report.new, report.rejected, users, spec["demo_password"])


def load_demo_knowledge(engine: Engine, *, slug: str = "bluebird") -> None:
    """Import the demo knowledge base (``knowledge.md``) and index the demo's posted replies."""
    from trustdesk.demo import demo_dir
    from trustdesk.knowledge.archive import embed_all_pending
    from trustdesk.knowledge.formats import read_file
    from trustdesk.knowledge.service import import_parsed

    with unit_of_work(engine) as session:
        brand = get_brand(session=session, slug=slug)
        assert brand is not None, "the demo brand is created first"
        import_parsed(session=session, brand_id=brand.id, parsed=read_file(demo_dir() / "knowledge.md"),
                      actor_id=None, actor_kind="system", source="demo/knowledge.md")  # fmt: skip
    embed_all_pending(engine=engine)
