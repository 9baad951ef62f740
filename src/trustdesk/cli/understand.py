"""CLI commands of trustdesk.understand (registered by trustdesk.cli.main)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer

ANALYZE_BATCH = 256
OUTPUT_KEYS = (
    "sentiment", "sentiment_score", "emotion", "emotion_scores", "intent", "abusive", "over_the_top",
    "spam", "language", "urgency",
)  # fmt: skip


def _parse_line(raw: bytes) -> tuple[Any, dict[str, Any] | None, str | None]:
    """(id, fields, error) for one JSONL line; invalid UTF-8 is kept (as surrogates) for the analyser."""
    try:
        obj = json.loads(raw.decode("utf-8", errors="surrogateescape"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return None, None, f"invalid JSON: {exc.msg if isinstance(exc, json.JSONDecodeError) else exc}"
    if not isinstance(obj, dict):
        return None, None, "line is not a JSON object"
    ident = obj.get("id")
    if isinstance(ident, dict | list):
        return None, None, "id must be a string or a number"
    if ident is None:
        return None, None, "missing id"
    text = obj.get("text")
    if not isinstance(text, str):
        return ident, None, "missing text" if text is None else "text must be a string"
    rating = obj.get("rating")
    if isinstance(rating, bool) or not isinstance(rating, int | float):
        rating = None  # unknown or malformed ratings are ignored, the text still gets analysed
    channel = obj.get("channel") if isinstance(obj.get("channel"), str) else None
    author = obj.get("author") if isinstance(obj.get("author"), str) else None
    return ident, {"text": text, "rating": rating, "channel": channel, "author": author}, None


def _safe_id(ident: Any) -> Any:
    """Ids read from invalid UTF-8 keep surrogates; they must not break the UTF-8 output."""
    if isinstance(ident, str):
        return ident.encode("utf-8", errors="replace").decode("utf-8")
    return ident


def process_lines(lines: list[bytes], tier: str) -> str:
    """Analyse a chunk of JSONL lines; the output lines (errors included) in the same order."""
    from trustdesk.understand import MessageInput, analyze

    parsed = [_parse_line(raw) for raw in lines if raw.strip()]
    todo = [MessageInput(**fields) for _i, fields, _e in parsed if fields is not None]
    results = iter(analyze(todo, tier=tier)) if todo else iter(())
    out: list[str] = []
    for ident, fields, err in parsed:
        if fields is None:
            out.append(json.dumps({"id": _safe_id(ident), "error": err}, ensure_ascii=False))
            continue
        d = next(results).to_dict()
        out.append(json.dumps({"id": _safe_id(ident), **{k: d[k] for k in OUTPUT_KEYS}}, ensure_ascii=False))
    return "".join(line + "\n" for line in out)


def _count_lines(stream: BinaryIO, stop_at: int) -> int:
    """Lines in ``stream`` (a final line without a newline counts), up to about ``stop_at``."""
    count, last = 0, b"\n"
    while count < stop_at and (block := stream.read(1 << 20)):
        count += block.count(b"\n")
        last = block[-1:]
    return count + (last != b"\n")


def _chunks(stream: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    chunk: list[bytes] = []
    for raw in stream:
        chunk.append(raw)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def analyze_cmd(
    file: Annotated[
        str, typer.Argument(help="JSONL file, one {id, text, ...} object per line ('-' = stdin)")
    ],
    tier: Annotated[
        str, typer.Option(help="fast, accurate or auto (accurate up to 50,000 lines, fast for bigger files)")
    ] = "auto",
    workers: Annotated[int, typer.Option(min=1, max=16, help="processes for big files (fast tier)")] = 1,
) -> None:
    """Analyse messages from a JSONL file; write one JSON result per line, in order, to stdout."""
    from trustdesk.understand.registry import AUTO_ACCURATE_UP_TO, get, resolve_tier

    if file != "-" and not Path(file).is_file():
        typer.echo(f"no such file: {file}", err=True)
        raise typer.Exit(code=2)
    stream = sys.stdin.buffer if file == "-" else Path(file).open("rb")  # noqa: SIM115 - closed below
    try:
        lines: Iterable[bytes] = stream
        if tier == "auto":
            # sized by the input: a small one gets the accurate tier, a backfill (or --workers) the fast one
            if stream.seekable():
                count = _count_lines(stream, AUTO_ACCURATE_UP_TO + 1)
                stream.seek(0)
            else:  # a pipe: hold the head of it while counting
                head = list(islice(stream, AUTO_ACCURATE_UP_TO + 1))
                count, lines = len(head), chain(head, stream)
            small = count <= AUTO_ACCURATE_UP_TO and workers == 1
            tier = resolve_tier("auto", count=count if small else None)
        tier = resolve_tier(tier)
        get(tier)  # load once here, so forked workers share the weights
        chunks = _chunks(lines, ANALYZE_BATCH)
        if workers == 1:
            for chunk in chunks:
                sys.stdout.write(process_lines(chunk, tier))
                sys.stdout.flush()
        else:
            import multiprocessing

            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for text in pool.imap(partial(process_lines, tier=tier), chunks, chunksize=1):
                    sys.stdout.write(text)
                    sys.stdout.flush()
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def eval_cmd(
    data: Annotated[Path | None, typer.Option(help="shared data folder (default: ../shared/data)")] = None,
    tier: Annotated[str, typer.Option(help="fast, accurate, a component name, or all")] = "all",
    as_json: Annotated[bool, typer.Option("--json", help="print only the JSON")] = False,
) -> None:
    """Evaluate the shipped models on the validation splits; print a table and JSON."""
    from trustdesk.understand.evaluate import report

    result = report(data=data, tiers=None if tier == "all" else [tier])
    if result is None:
        typer.echo(
            "shared data not found: pass --data DIR (the folder with tweeteval_sentiment/ ...)", err=True
        )
        raise typer.Exit(code=2)
    if not as_json:
        from rich.console import Console
        from rich.table import Table

        tiers = list(result["tiers"])
        table = Table(title=f"trustdesk understand — validation ({result['data']})")
        table.add_column("metric")
        for t in tiers:
            table.add_column(t, justify="right")
        keys = list(dict.fromkeys(k for t in tiers for k in result["tiers"][t]))
        for k in keys:
            table.add_row(k, *[str(result["tiers"][t].get(k, "")) for t in tiers])
        Console().print(table)
    typer.echo(json.dumps(result, indent=None if as_json else 2))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("analyze")(analyze_cmd)
    app.command("eval")(eval_cmd)
