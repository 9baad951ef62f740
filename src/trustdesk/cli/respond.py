"""CLI commands of trustdesk.respond (registered by trustdesk.cli.main)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

BATCH = 64
"""Messages analysed per call (analysis is batched; drafting is per message)."""


def _playbook_choice(given: str | None) -> str | None:
    """--playbook, else TRUSTDESK_PLAYBOOK_PATH, else None (the shipped default)."""
    if given:
        return given
    from trustdesk.settings import get_settings

    return get_settings().playbook_path


def _parse_line(line: str) -> tuple[Any, dict[str, Any] | None, str | None]:
    """(id, fields, error) for one JSONL line; unknown fields are ignored."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, None, f"not valid JSON: {exc.msg}"
    if not isinstance(obj, dict):
        return None, None, "each line must be a JSON object"
    ident = obj.get("id")
    text = obj.get("text")
    if text is None:
        text = ""
    if not isinstance(text, str):
        return ident, None, "text must be a string"
    rating = obj.get("rating")
    if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int | float)):
        return ident, None, "rating must be a number"
    channel = obj.get("channel")
    author = obj.get("author")
    if channel is not None and not isinstance(channel, str):
        return ident, None, "channel must be a string"
    if author is not None and not isinstance(author, str):
        author = None
    thread = obj.get("thread") or []
    if not isinstance(thread, list) or not all(
        isinstance(t, dict)
        and isinstance(t.get("text"), str)
        and t.get("direction") in {"inbound", "outbound"}
        for t in thread
    ):
        return ident, None, "thread must be a list of {direction: inbound|outbound, text, author}"
    knowledge = obj.get("knowledge")
    if knowledge is not None and not isinstance(knowledge, str):
        return ident, None, "knowledge must be a path"
    agent = obj.get("agent") if isinstance(obj.get("agent"), str) else None
    fields = {"text": text, "channel": channel, "author": author, "rating": rating, "thread": thread,
              "knowledge": knowledge, "agent": agent}  # fmt: skip
    return ident, fields, None


def _knowledge_source(path: str | None, cache: dict[str, Any]) -> Any:
    """The answer source for a knowledge file (loaded once per path); None without one."""
    if not path:
        return None
    if path not in cache:
        from trustdesk.respond.answers import load_source

        cache[path] = load_source(Path(path))
    return cache[path]


def _draft_file(path: Path, playbook_path: str | None, knowledge: str | None = None) -> None:
    from trustdesk.respond import draft, load_playbook
    from trustdesk.respond.reading import Turn
    from trustdesk.respond.situations import channel_kind
    from trustdesk.understand import MessageInput, analyze

    playbook = load_playbook(_playbook_choice(playbook_path))
    recent: list[str] = []
    sources: dict[str, Any] = {}

    def flush(batch: list[tuple[Any, dict[str, Any] | None, str | None]]) -> None:
        good = [(i, f) for i, f, e in batch if f is not None and e is None]
        inputs = [
            MessageInput(
                text=f["text"],
                channel=channel_kind(f["channel"], playbook),
                author=f["author"],
                rating=f["rating"],
            )  # fmt: skip
            for _, f in good
        ]
        analyses = iter(analyze(inputs)) if inputs else iter(())
        for ident, fields, error in batch:
            if fields is None or error is not None:
                out: dict[str, Any] = {"id": ident, "error": error}
            else:
                try:
                    turns = [Turn(t["direction"], t["text"], t.get("author")) for t in fields["thread"]]
                    source = _knowledge_source(fields["knowledge"] or knowledge, sources)
                    result = draft(text=fields["text"], analysis=next(analyses), playbook=playbook,
                                   channel=fields["channel"], author=fields["author"], rating=fields["rating"],
                                   recent_replies=recent, thread=turns, agent=fields["agent"],
                                   answers=source)  # fmt: skip
                except Exception as exc:  # noqa: BLE001 - one bad message must not stop the file
                    out = {"id": ident, "error": f"{type(exc).__name__}: {exc}"}
                else:
                    if result.reply:
                        recent.append(result.reply)
                    out = {
                        "id": ident,
                        "reply": result.reply,
                        "alternatives": result.alternatives,
                        "findings": [f.model_dump(exclude_none=True) for f in result.findings],
                        "escalate": result.escalate,
                        "needs_approval": result.needs_approval,
                        "approval_reason": result.approval_reason,
                        "situation": result.situation,
                        "language": result.language,
                        "stance": result.stance,
                    }
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    batch: list[tuple[Any, dict[str, Any] | None, str | None]] = []
    with path.open("rb") as handle:
        for raw in handle:
            line = raw.decode("utf-8", errors="replace").strip()
            if not line:
                continue
            batch.append(_parse_line(line))
            if len(batch) >= BATCH:
                flush(batch)
                batch = []
    if batch:
        flush(batch)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""

    @app.command("draft")
    def draft_command(
        file: Annotated[
            Path,
            typer.Argument(
                help="JSONL: id, text, optional channel, author, rating, thread (earlier messages, each "
                "{direction, text, author}), knowledge (a path), agent (who signs)."
            ),
        ],
        playbook: Annotated[
            str | None,
            typer.Option(help="Playbook YAML path or shipped name (default: the default playbook)."),
        ] = None,
        knowledge: Annotated[
            str | None,
            typer.Option(
                "--knowledge", help="Knowledge base file (Markdown, CSV, YAML or JSON) for every line."
            ),
        ] = None,
    ) -> None:
        """Draft replies for every message in FILE; one JSON line per input on stdout."""
        from trustdesk.respond.playbook import PlaybookError

        if not file.exists():
            typer.echo(f"error: {file} does not exist", err=True)
            raise typer.Exit(2)
        if knowledge and not Path(knowledge).exists():
            typer.echo(f"error: {knowledge} does not exist", err=True)
            raise typer.Exit(2)
        try:
            _draft_file(file, playbook, knowledge)
        except PlaybookError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None

    @app.command("check-reply")
    def check_reply_command(
        message: Annotated[str, typer.Option(help="The customer's message.")],
        reply: Annotated[str, typer.Option(help="The reply to check.")],
        playbook: Annotated[str | None, typer.Option(help="Playbook YAML path or shipped name.")] = None,
        channel: Annotated[str | None, typer.Option(help="Channel name or kind, e.g. play-store.")] = None,
        strict: Annotated[
            bool, typer.Option("--strict", help="Exit 1 when a lead must approve (for scripts and hooks).")
        ] = False,
    ) -> None:
        """Check a reply against the playbook; prints the findings as JSON."""
        from trustdesk.respond import check_reply, load_playbook, requires_lead
        from trustdesk.respond.playbook import PlaybookError
        from trustdesk.respond.situations import channel_kind
        from trustdesk.understand import MessageInput, analyze

        try:
            pb = load_playbook(_playbook_choice(playbook))
        except PlaybookError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        analysis = analyze([MessageInput(text=message, channel=channel_kind(channel, pb))])[0]
        findings = check_reply(message=message, reply=reply, playbook=pb, channel=channel, analysis=analysis)
        typer.echo(
            json.dumps([f.model_dump(exclude_none=True) for f in findings], ensure_ascii=False, indent=2)
        )
        if strict and requires_lead(findings):
            raise typer.Exit(1)
