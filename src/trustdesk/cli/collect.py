"""``trustdesk import``, ``brands``, ``channels`` and ``customers``: getting messages in and organised."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from trustdesk.cli._common import migrated_engine

brands_app = typer.Typer(
    help="Brands: the companies whose front doors trustdesk watches.", no_args_is_help=True
)
channels_app = typer.Typer(
    help="Channels: one front door each (a Google location, an app, a page…).", no_args_is_help=True
)
customers_app = typer.Typer(help="Customers recognised across channels.", no_args_is_help=True)


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def import_file(
    file: Annotated[Path, typer.Argument(help="CSV, JSON or JSONL export, or a platform's JSON payload.")],
    channel: Annotated[str, typer.Option("--channel", "-c", help="Channel name to import into.")],
    format: Annotated[
        str | None,
        typer.Option("--format", "-f", help="Format name; default: detected from name and content."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON (last line of stdout).")
    ] = False,
    batch_size: Annotated[int, typer.Option(help="Records per transaction.")] = 5000,
    analyze: Annotated[
        bool, typer.Option(help="Analyse the new messages after the import is committed.")
    ] = True,
) -> None:
    """Import messages into a channel: new, updated, duplicates and rejected lines are reported."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

    from trustdesk.collect import formats
    from trustdesk.collect.imports import run_import
    from trustdesk.collect.ingest import IngestError

    if not file.is_file():
        _fail(f"no such file: {file}")
    engine = migrated_engine()
    size = file.stat().st_size
    with file.open("rb") as raw:
        reader = formats.CountingReader(raw)
        try:
            records = formats.read(reader, format=format, filename=file.name)
        except formats.UnknownFormat as exc:
            _fail(str(exc))
        progress = Progress(
            TextColumn("importing {task.description}"),
            BarColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            transient=True,
            console=None if not as_json else _stderr_console(),
        )
        with progress:
            task = progress.add_task(file.name, total=size)
            try:
                report = run_import(
                    engine=engine,
                    channel_name=channel,
                    records=records,
                    source=str(file),
                    format=format or "",
                    batch_size=batch_size,
                    on_batch=lambda _r: progress.update(task, completed=reader.bytes_read),
                )
            except IngestError as exc:
                _fail(str(exc))
    summary = report.summary()
    if not as_json:
        typer.echo(
            f"{file.name} → {channel}: {summary['new']} new, {summary['updated']} updated, "
            f"{summary['duplicates']} skipped as duplicates, {len(summary['rejected'])} rejected"
        )
        if report.notes:
            typer.echo(
                f"  {len(report.notes)} stored with a note, e.g. line {report.notes[0]['line']}: "
                f"{report.notes[0]['note']}"
            )
        for item in summary["rejected"][:50]:
            typer.echo(f"  line {item['line']}: {item['reason']}")
        if len(summary["rejected"]) > 50:
            typer.echo(
                f"  … and {len(summary['rejected']) - 50} more (see `trustdesk imports show {report.run_id}`)"
            )
    if analyze:
        from trustdesk.collect.imports import pending_analysis
        from trustdesk.collect.ingest import find_channel
        from trustdesk.store.db import unit_of_work
        from trustdesk.worker import dispatch_analysis

        # Also what an earlier, interrupted run stored but never analysed.
        with unit_of_work(engine) as session:
            waiting = pending_analysis(
                session=session, channel_id=find_channel(session=session, name=channel).id
            )
        todo = sorted(set(report.message_ids) | set(waiting))
        dispatch_analysis(engine=engine, message_ids=todo, wait=True)
    if as_json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")


def _stderr_console() -> Console:

    return Console(stderr=True)


@brands_app.command("add")
def brands_add(
    slug: str,
    name: Annotated[str, typer.Option(help="Display name.")],
    timezone: Annotated[str, typer.Option(help="IANA time zone for business hours.")] = "UTC",
) -> None:
    """Create a brand."""
    from trustdesk.inbox.channels import ChannelError, create_brand
    from trustdesk.store.db import unit_of_work

    try:
        with unit_of_work() as session:
            brand = create_brand(session=session, slug=slug, name=name, timezone=timezone)
            typer.echo(f"brand {brand.slug} created (id {brand.id})")
    except ChannelError as exc:
        _fail(str(exc))


@brands_app.command("list")
def brands_list(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Every brand with its channels and how many people work on it."""
    from sqlalchemy import func, select

    from trustdesk.inbox.models import Brand, Channel
    from trustdesk.store.db import unit_of_work
    from trustdesk.team.models import Membership

    with unit_of_work(migrated_engine()) as session:
        for brand in session.scalars(select(Brand).order_by(Brand.slug)):
            channels = list(
                session.scalars(
                    select(Channel.name).where(Channel.brand_id == brand.id).order_by(Channel.name)
                )
            )
            members = session.scalar(
                select(func.count()).select_from(Membership).where(Membership.brand_id == brand.id)
            )
            item = {"id": brand.id, "slug": brand.slug, "name": brand.name, "timezone": brand.timezone,
                    "channels": channels, "members": members or 0}  # fmt: skip
            if as_json:
                sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
            else:
                typer.echo(f"{brand.id:>4}  {brand.slug:20} {brand.name[:30]:30} {brand.timezone:18} "
                           f"{len(channels)} channels, {item['members']} members")  # fmt: skip


@channels_app.command("add")
def channels_add(
    name: str,
    kind: Annotated[
        str, typer.Option(help="google_business, google_play, app_store, facebook, x, email, webhook, …")
    ],
    brand: Annotated[str | None, typer.Option(help="Brand slug (default: the only brand).")] = None,
    display_name: Annotated[str, typer.Option(help="Name shown in the inbox.")] = "",
) -> None:
    """Create a channel; webhook channels print their signing secret."""
    from sqlalchemy import select

    from trustdesk.inbox.channels import ChannelError, create_channel
    from trustdesk.inbox.models import Brand
    from trustdesk.store.db import unit_of_work

    try:
        with unit_of_work() as session:
            brands = list(
                session.scalars(select(Brand).where(Brand.slug == brand) if brand else select(Brand))
            )
            if len(brands) != 1:
                _fail(
                    "name the brand with --brand"
                    if brands
                    else f"no brand {brand or ''} — `trustdesk brands add`"
                )
            ch = create_channel(
                session=session, brand_id=brands[0].id, name=name, kind=kind, display_name=display_name
            )
            typer.echo(f"channel {ch.name} ({ch.kind}) created for {brands[0].slug}")
            if ch.webhook_secret:
                typer.echo(f"webhook URL: /api/v1/webhooks/{ch.name}  signing secret: {ch.webhook_secret}")
    except ChannelError as exc:
        _fail(str(exc))


@channels_app.command("list")
def channels_list() -> None:
    """List channels."""
    from trustdesk.inbox.channels import list_channels
    from trustdesk.store.db import unit_of_work

    with unit_of_work() as session:
        for ch in list_channels(session=session):
            typer.echo(f"{ch.name:24} {ch.kind:16} {ch.display_name}")


@customers_app.command("merge")
def customers_merge(survivor: int, merged: int) -> None:
    """Merge customer MERGED into SURVIVOR (identities, conversations and messages move)."""
    from trustdesk.inbox.identity import MergeError, merge_customers
    from trustdesk.store.db import unit_of_work

    try:
        with unit_of_work() as session:
            merge_customers(session=session, survivor_id=survivor, merged_id=merged)
    except MergeError as exc:
        _fail(str(exc))
    typer.echo(f"customer {merged} merged into {survivor}")


imports_app = typer.Typer(help="Imports: what each run stored and rejected.", no_args_is_help=True)


def _run_summary(run: Any, channel_name: str) -> dict[str, Any]:
    return {
        "id": run.id, "channel": channel_name, "source": run.source, "format": run.format,
        "status": run.status, "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "new": run.new, "updated": run.updated, "duplicates": run.duplicates, "rejected": len(run.rejected or []),
    }  # fmt: skip


@imports_app.command("list")
def imports_list(
    limit: Annotated[int, typer.Option(help="How many runs, newest first.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """The newest import runs (a run whose process died shows as interrupted)."""
    from sqlalchemy import select

    from trustdesk.collect.imports import mark_interrupted
    from trustdesk.collect.models import ImportRun
    from trustdesk.inbox.models import Channel
    from trustdesk.store.db import unit_of_work

    with unit_of_work(migrated_engine(), write=True) as session:
        mark_interrupted(session=session)
        rows = session.execute(
            select(ImportRun, Channel.name)
            .join(Channel, Channel.id == ImportRun.channel_id)
            .order_by(ImportRun.id.desc())
            .limit(max(1, limit))
        ).all()
        for run, name in rows:
            item = _run_summary(run, name)
            if as_json:
                sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
            else:
                typer.echo(
                    f"{run.id:>6}  {run.status:11} {name:20} {item['new']:>8} new {item['updated']:>6} updated "
                    f"{item['duplicates']:>8} dup {item['rejected']:>6} rejected  {run.started_at:%Y-%m-%d %H:%M}  "
                    f"{run.source}"
                )


@imports_app.command("show")
def imports_show(
    run_id: int,
    as_json: Annotated[bool, typer.Option("--json", help="The run and every rejected line as JSON.")] = False,
) -> None:
    """One import run with every rejected line and its reason."""
    from trustdesk.collect.imports import mark_interrupted
    from trustdesk.collect.models import ImportRun
    from trustdesk.inbox.models import Channel
    from trustdesk.store.db import unit_of_work

    with unit_of_work(migrated_engine(), write=True) as session:
        mark_interrupted(session=session)
        run = session.get(ImportRun, run_id) if 0 < run_id < 2**63 else None
        if run is None:
            _fail(f"no import run {run_id} (see `trustdesk imports list`)", code=1)
            return
        item = _run_summary(run, session.get_one(Channel, run.channel_id).name)
        item["rejected_lines"] = [{"line": r["line"], "reason": r["reason"]} for r in run.rejected or []]
    if as_json:
        sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
        return
    typer.echo(
        f"import {item['id']} into {item['channel']} ({item['status']}): {item['new']} new, {item['updated']} updated, "
        f"{item['duplicates']} duplicates, {item['rejected']} rejected; from {item['source'] or '-'}, "
        f"started {item['started_at']}, finished {item['finished_at'] or '-'}"
    )
    for line in item["rejected_lines"]:
        typer.echo(f"  line {line['line']}: {line['reason']}")


def register(app: typer.Typer) -> None:
    """Add ``import``, ``imports``, ``brands``, ``channels`` and ``customers``."""
    app.command("import")(import_file)
    app.add_typer(imports_app, name="imports")
    app.add_typer(brands_app, name="brands")
    app.add_typer(channels_app, name="channels")
    app.add_typer(customers_app, name="customers")
