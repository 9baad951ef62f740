import json
from pathlib import Path

from typer.testing import CliRunner

from trustdesk.cli.main import app

KEYS = {"id", "sentiment", "sentiment_score", "emotion", "emotion_scores", "intent", "abusive",
        "over_the_top", "spam", "language", "urgency"}  # fmt: skip


def _run(tmp_path: Path, content: bytes, *extra: str) -> list[dict]:
    path = tmp_path / "in.jsonl"
    path.write_bytes(content)
    result = CliRunner().invoke(app, ["analyze", str(path), "--tier", "fast", *extra])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_cli_analyze_contract_order_keys_and_errors(tmp_path):
    lines = [
        json.dumps({"id": "a", "text": "Thank you, lovely coffee!", "channel": "x", "extra": 1}),
        "{not json",
        json.dumps({"id": 7, "text": "Worst service ever, I want a refund", "rating": 1}),
        json.dumps({"text": "no id here"}),
        json.dumps({"id": "c"}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "d", "text": "", "rating": "five"}),
    ]
    out = _run(tmp_path, ("\n".join(lines) + "\n").encode())
    assert [r.get("id") for r in out] == ["a", None, 7, None, "c", None, "d"]
    good = [out[0], out[2], out[6]]
    for row in good:
        assert set(row) == KEYS
    for row in (out[1], out[3], out[4], out[5]):
        assert set(row) == {"id", "error"} and row["error"]
    assert out[0]["sentiment"] == "positive" and out[2]["sentiment"] == "negative"
    assert out[6]["sentiment"] == "neutral" and out[6]["language"] == "und"


def test_cli_analyze_invalid_utf8_line_is_analysed(tmp_path):
    out = _run(tmp_path, b'{"id": "x", "text": "caf\xe9 was lovely, thank you"}\n')
    assert set(out[0]) == KEYS and out[0]["sentiment"] == "positive"


def test_cli_analyze_many_lines_keep_order(tmp_path):
    rows = [{"id": i, "text": f"message number {i} about my order"} for i in range(600)]
    out = _run(tmp_path, "".join(json.dumps(r) + "\n" for r in rows).encode())
    assert [r["id"] for r in out] == list(range(600))


def test_cli_eval_without_data_fails_clearly(tmp_path):
    result = CliRunner().invoke(app, ["eval", "--data", str(tmp_path / "nope"), "--json"])
    assert result.exit_code == 2
    assert "shared data not found" in result.output


def test_cli_analyze_workers_give_the_same_output(tmp_path):
    rows = [{"id": i, "text": f"order {i} was {'great' if i % 2 else 'awful'}"} for i in range(700)]
    content = "".join(json.dumps(r) + "\n" for r in rows).encode() + b"oops\n"
    single = _run(tmp_path, content)
    assert _run(tmp_path, content, "--workers", "2") == single
    assert single[-1] == {"id": None, "error": single[-1]["error"]}


def test_cli_analyze_missing_file_exits_2(tmp_path):
    result = CliRunner().invoke(app, ["analyze", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2


def test_cli_analyze_invalid_utf8_id_does_not_break_output(tmp_path):
    out = _run(tmp_path, b'{"id": "a\\u00ff", "text": "fine"}\n{"id": "b\xff", "text": "fine"}\n')
    assert len(out) == 2 and all(set(r) == KEYS for r in out)


def test_cli_analyze_auto_sizes_the_tier_by_the_file(tmp_path, monkeypatch):
    from trustdesk.understand import registry

    if not registry.available("accurate"):
        import pytest

        pytest.skip("accurate tier artefacts not shipped")
    texts = ["The barista was rude and my latte arrived cold", "Lovely cardamom buns, thank you!"]
    content = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)).encode()

    def scores(tier: str) -> list[float]:
        path = tmp_path / "in.jsonl"
        path.write_bytes(content)
        result = CliRunner().invoke(app, ["analyze", str(path), "--tier", tier])
        assert result.exit_code == 0, result.output
        return [json.loads(line)["sentiment_score"] for line in result.stdout.splitlines()]

    fast, accurate = scores("fast"), scores("accurate")
    assert fast != accurate  # the tiers tell apart
    assert scores("auto") == accurate  # two lines: a small job
    monkeypatch.setattr(registry, "AUTO_ACCURATE_UP_TO", 1)
    assert scores("auto") == fast  # more lines than that: a backfill


def test_cli_analyze_auto_counts_piped_input_too(tmp_path):
    import subprocess
    import sys

    from trustdesk.understand import registry

    if not registry.available("accurate"):
        import pytest

        pytest.skip("accurate tier artefacts not shipped")
    # no newline after the last line: it is still a line
    content = b'{"id": 1, "text": "Furious: my box never arrived"}\n{"id": 2, "text": "Lovely buns, thanks"}'

    def run(*tier: str) -> list[dict]:
        done = subprocess.run(
            [sys.executable, "-m", "trustdesk.cli.main", "analyze", "-", *tier],
            input=content, capture_output=True, check=True, timeout=120,
        )  # fmt: skip
        return [json.loads(line) for line in done.stdout.splitlines()]

    piped = run()
    assert [r["id"] for r in piped] == [1, 2]
    assert piped == run("--tier", "accurate")  # two lines through a pipe: a small job


def test_count_lines_stops_early_and_counts_a_last_line_without_newline():
    import io

    from trustdesk.cli.understand import _count_lines

    assert _count_lines(io.BytesIO(b""), 10) == 0
    assert _count_lines(io.BytesIO(b"a\nb\n"), 10) == 2
    assert _count_lines(io.BytesIO(b"a\nb"), 10) == 2
    big = io.BytesIO(b"x\n" * 3_000_000)
    assert 11 <= _count_lines(big, 10) < 3_000_000  # stopped after the first block
