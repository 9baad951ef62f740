"""``trustdesk knowledge import|list|search``: a brand's knowledge base from the command line (thin)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

knowledge_app = typer.Typer(
    help="A brand's knowledge base: FAQ answers, policies and help links the drafter may use.",
    no_args_is_help=True,
)

BrandOption = Annotated[str, typer.Option("--brand", help="The brand's slug (trustdesk brands add).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _brand_id(session: Any, slug: str) -> int:
    from trustdesk.inbox.channels import get_brand

    brand = get_brand(session=session, slug=slug)
    if brand is None:
        _fail(f"no brand {slug!r} (trustdesk brands add {slug} --name ...)")
    return int(brand.id)


@knowledge_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="A .md, .csv, .yaml or .yml knowledge file.")],
    brand: BrandOption,
    as_json: JsonOption = False,
) -> None:
    """Add or update the file's entries (matched by slug); every line that could not be read is reported."""
    from trustdesk.cli._common import migrated_engine
    from trustdesk.knowledge.formats import read_file
    from trustdesk.knowledge.schemas import KnowledgeError
    from trustdesk.knowledge.service import import_parsed
    from trustdesk.store.db import unit_of_work

    try:
        parsed = read_file(file)
    except KnowledgeError as exc:
        _fail(f"{exc} ({exc.code})")
    with unit_of_work(migrated_engine()) as session:
        report = import_parsed(session=session, brand_id=_brand_id(session, brand), parsed=parsed, actor_id=None,
                               actor_kind="cli", source=file.name)  # fmt: skip
    summary = report.to_dict()
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
    else:
        for problem in report.problems:
            where = f" [{problem.slug}]" if problem.slug else ""
            typer.echo(f"{file.name}:{problem.line}: {problem.message}{where}", err=True)
        typer.echo(f"{summary['created']} new, {summary['updated']} updated, {summary['unchanged']} unchanged, "
                   f"{len(report.problems)} problem(s)")  # fmt: skip
    if report.problems and not (report.created or report.updated or report.unchanged):
        raise typer.Exit(1)


@knowledge_app.command("list")
def list_command(brand: BrandOption, as_json: JsonOption = False) -> None:
    """The brand's entries, by title."""
    from trustdesk.cli._common import migrated_engine
    from trustdesk.knowledge.service import list_entries
    from trustdesk.store.db import unit_of_work

    with unit_of_work(migrated_engine()) as session:
        entries = list_entries(session=session, brand_id=_brand_id(session, brand))
    if as_json:
        typer.echo(json.dumps([e.model_dump(mode="json") for e in entries], ensure_ascii=False))
        return
    for e in entries:
        languages = ",".join(e.answers)
        typer.echo(f"{e.slug:28} {e.kind:6} {languages:8} {e.title}")
    typer.echo(f"{len(entries)} entries")


@knowledge_app.command("search")
def search_command(
    text: Annotated[str, typer.Argument(help="A customer message.")],
    brand: Annotated[str | None, typer.Option("--brand", help="The brand's slug.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Search a knowledge file instead (no database).")
    ] = None,
    thread: Annotated[
        list[str] | None,
        typer.Option("--thread", help="An earlier message of the thread (repeat, oldest first)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=50, help="How many entries to show.")] = 5,
    as_json: JsonOption = False,
) -> None:
    """The entries nearest to a message, best first, with their score and whether they answer it."""
    from trustdesk.knowledge.schemas import KnowledgeError

    if (brand is None) == (file is None):
        _fail("give --brand SLUG or --file PATH")
    try:
        if file is not None:
            from trustdesk.knowledge.files import load_knowledge

            matches = load_knowledge(file).search(text, thread=thread or (), limit=limit)
        else:
            from trustdesk.cli._common import migrated_engine
            from trustdesk.knowledge.service import search
            from trustdesk.store.db import unit_of_work

            with unit_of_work(migrated_engine()) as session:
                matches = search(session=session, brand_id=_brand_id(session, str(brand)), text=text,
                                 thread=thread or (), limit=limit)  # fmt: skip
    except KnowledgeError as exc:
        _fail(f"{exc} ({exc.code})")
    if as_json:
        typer.echo(json.dumps([m.to_dict() for m in matches], ensure_ascii=False))
        return
    for m in matches:
        flag = "answers" if m.answers else "       "
        typer.echo(f"{m.score:6.3f} {flag} {m.entry.slug:28} {m.entry.title}")
    if not any(m.answers for m in matches):
        typer.echo("nothing in the knowledge base answers this message")


def register(app: typer.Typer) -> None:
    """Add ``trustdesk knowledge`` to the main app."""
    app.add_typer(knowledge_app, name="knowledge")
