"""Blind judging of drafts against the businesses' real replies (`python -m bench.judge sample|score`).

``sample`` takes validation messages that have the business's real reply (hotel managers on Tripadvisor,
app developers on Google Play, brand care teams on X: hospo_tripadvisor, gplay_dev_replies_taotao,
twcs_pairs, ibm_twitter_customer_care) and the demo's threads that the brand answered, drafts a reply
to each with the real ``understand.analyze`` and a matching playbook, and writes a blind sheet:

* ``sheet.jsonl``: one item per line (message, thread, channel, rating) with two replies labelled A and
  B in random order, and an empty ``judgement`` the reviewer fills in (see bench/judge_rubric.md);
* ``sheet.html``: the same items as a static page to read;
* ``key.json``: which label is ours, per item (kept apart: the reviewer never sees it).

``score`` reads a filled sheet with its key and reports, for our drafts and for the real replies:
postable as written / after light edits / not; personal, empathy, correctness and helpfulness (0-2);
ours better / equal / worse than the real reply; failure tags; harmful drafts. Judged sheets are kept
under bench/judged/<commit>/ (the sheet, the key and the report), made by a reviewer who did not write
the drafter and saw only the sheet and the rubric.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import random
import re
import statistics
import subprocess
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
PLAYBOOKS = Path(__file__).parent / "playbooks"
AGENTS = ("Anna", "Sam", "Priya", "Tom", "Leah", "Marc", "Nina", "Owen")
"""Who signs the drafts (the desk passes the agent who will post; the bench picks one per item)."""
POSTABLE = ("as_written", "light_edits", "not")
SCORES = ("personal", "empathy", "correctness", "helpfulness")
TAGS = (
    "vague_detail", "no_answer", "garbled_detail", "wrong_stance", "unfounded_admission", "wrong_feeling",
    "lowercased_name", "double_apology", "ignored_urgent", "channel_slip", "last_line_only",
    "handle_greeting", "echoed_abuse", "invented_fact", "wrong_offer", "repeats_us", "too_long",
)  # fmt: skip
HARMFUL = frozenset({"wrong_stance", "echoed_abuse", "unfounded_admission", "invented_fact", "wrong_offer"})
_HANDLE = re.compile(r"@\w+")


def _read(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _brand(company: str) -> str:
    """A readable brand name from a company or support handle ("AppleSupport" -> "Apple")."""
    name = re.sub(r"(?i)(support|cares?|help|tweets|_us)$", "", company).strip(" _") or company
    return name[:1].upper() + name[1:]


def _items(n: int, seed: int) -> list[dict[str, Any]]:
    """The messages to draft for: a fixed, seeded share of each source (validation splits only)."""
    rng = random.Random(seed)
    share = {"hospo_tripadvisor": 0.27, "gplay_dev_replies_taotao": 0.27, "twcs_pairs": 0.2, "ibm": 0.18}
    items: list[dict[str, Any]] = []
    hospo = _read(SHARED / "hospo_tripadvisor/validation.jsonl")
    for r in rng.sample(hospo, round(n * share["hospo_tripadvisor"])):
        items.append({"source": "hospo_tripadvisor", "id": r["id"], "text": r["text"], "thread": [],
                      "rating": r.get("rating"), "channel": "tripadvisor", "company": r["company"],
                      "playbook": "hotel", "real": r["reply"], "author": None})  # fmt: skip
    gplay = _read(SHARED / "gplay_dev_replies_taotao/validation.jsonl")
    for r in rng.sample(gplay, round(n * share["gplay_dev_replies_taotao"])):
        items.append({"source": "gplay_dev_replies_taotao", "id": r["id"], "text": r["text"], "thread": [],
                      "rating": r.get("rating"), "channel": "google_play", "company": r["company"],
                      "playbook": "app", "real": r["reply"], "author": None})  # fmt: skip
    twcs = _read(SHARED / "twcs_pairs/validation.jsonl")
    for r in rng.sample(twcs, round(n * share["twcs_pairs"])):
        items.append({"source": "twcs_pairs", "id": r["id"], "text": r["text"], "thread": [], "rating": None,
                      "channel": "twitter", "company": r["company"], "playbook": "default",
                      "real": r["reply"], "author": None})  # fmt: skip
    ibm = _read(SHARED / "ibm_twitter_customer_care/validation.jsonl")
    for r in rng.sample(ibm, round(n * share["ibm"])):
        turns = r["context"]
        last = max(i for i, t in enumerate(turns) if t["role"] == "customer")
        thread = [{"direction": "inbound" if t["role"] == "customer" else "outbound", "text": t["text"],
                   "author": None} for t in turns[:last]]  # fmt: skip
        items.append({"source": "ibm_twitter_customer_care", "id": r["id"], "text": turns[last]["text"],
                      "thread": thread, "rating": None, "channel": "twitter", "company": r["company"],
                      "playbook": "default", "real": r["response"], "author": None})  # fmt: skip
    items += _demo_items(n - len(items))
    return items


def _demo_items(n: int) -> list[dict[str, Any]]:
    """Demo threads the brand answered: the customer's message (after what came before) and our real reply."""
    rows = _read(ROOT / "src/trustdesk/demo/messages.jsonl")
    by_id = {r["id"]: r for r in rows}
    out = []
    for r in rows:
        if r.get("direction") != "outbound" or r.get("parent_id") not in by_id:
            continue
        asked = by_id[r["parent_id"]]
        chain: list[dict[str, Any]] = []
        parent = asked.get("parent_id")
        while parent in by_id:
            p = by_id[parent]
            chain.insert(0, {"direction": p["direction"], "text": p["text"], "author": p.get("author")})
            parent = p.get("parent_id")
        out.append({"source": "demo", "id": asked["id"], "text": asked["text"], "thread": chain,
                    "rating": asked.get("rating"), "channel": asked["channel"], "company": "Bluebird Coffee Co.",
                    "playbook": "bluebird", "real": r["text"], "author": asked.get("author")})  # fmt: skip
    return out[: max(0, n)]


def _playbook(name: str, company: str) -> Any:
    from trustdesk.respond import load_playbook

    path = PLAYBOOKS / f"{name}.yaml"
    pb = load_playbook(path if path.exists() else name)
    if name == "bluebird":
        return pb
    facts = pb.facts.model_copy(update={"brand": _brand(company), "short_name": None})
    return pb.model_copy(update={"facts": facts})


def draft_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Draft a reply to every item (real analysis, matching playbook, the thread, an agent who signs)."""
    from trustdesk.respond import draft
    from trustdesk.respond.reading import Turn
    from trustdesk.respond.situations import channel_kind
    from trustdesk.understand import MessageInput, analyze

    playbooks = {(i["playbook"], i["company"]): _playbook(i["playbook"], i["company"]) for i in items}
    inputs = [MessageInput(text=i["text"], channel=channel_kind(i["channel"], playbooks[(i["playbook"],
              i["company"])]), author=i["author"], rating=i["rating"]) for i in items]  # fmt: skip
    recent: list[str] = []
    for item, analysis in zip(items, analyze(inputs), strict=True):
        agent = AGENTS[int(hashlib.sha256(item["id"].encode()).hexdigest(), 16) % len(AGENTS)]
        result = draft(text=item["text"], analysis=analysis, playbook=playbooks[(item["playbook"], item["company"])],
                       channel=item["channel"], author=item["author"], rating=item["rating"], recent_replies=recent,
                       thread=[Turn(t["direction"], t["text"], t.get("author")) for t in item["thread"]],
                       agent=agent)  # fmt: skip
        item["ours"] = result.reply or ""
        item["stance"] = result.stance
        item["situation"] = result.situation
        if result.reply:
            recent.append(result.reply)
    return items


def _blank() -> dict[str, Any]:
    return {"postable": None, **dict.fromkeys(SCORES), "tags": []}


def write_sheet(items: list[dict[str, Any]], out: Path, seed: int) -> None:
    """The blind sheet (JSONL + HTML) and, apart from it, the key."""
    rng = random.Random(seed + 1)
    out.mkdir(parents=True, exist_ok=True)
    rng.shuffle(items)
    key: dict[str, str] = {}
    lines = []
    for n, item in enumerate(items, 1):
        ident = f"item-{n:03d}"
        ours_first = rng.random() < 0.5
        key[ident] = "A" if ours_first else "B"
        # Handles in the real replies ("@115712") would give the real one away: both are shown without them.
        real = _HANDLE.sub("@customer", item["real"]).strip()
        a, b = (item["ours"], real) if ours_first else (real, item["ours"])
        lines.append({"item": ident, "source": item["source"], "channel": item["channel"], "rating": item["rating"],
                      "company": item["company"], "thread": item["thread"], "message": item["text"],
                      "A": a, "B": b, "judgement": {"A": _blank(), "B": _blank(), "better": None,
                                                     "note": ""}})  # fmt: skip
    (out / "sheet.jsonl").write_text(
        "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8"
    )
    (out / "key.json").write_text(json.dumps(key, indent=1) + "\n", "utf-8")
    (out / "sheet.html").write_text(_html(lines), "utf-8")


def _html(lines: list[dict[str, Any]]) -> str:
    esc = html.escape
    parts = ["<!doctype html><meta charset=utf-8><title>trustdesk blind sheet</title><style>body{font:15px/1.45 "
             "system-ui;max-width:60rem;margin:2rem auto}section{border-top:2px solid #444;padding:.6rem 0}"
             ".m{background:#f3f3f3;padding:.5rem;white-space:pre-wrap}.r{display:grid;grid-template-columns:1fr"
             " 1fr;gap:1rem}.r div{border:1px solid #bbb;padding:.5rem;white-space:pre-wrap}.t{color:#555;"
             "white-space:pre-wrap;font-size:13px}</style><h1>Blind sheet</h1><p>Score each item in "
             "sheet.jsonl by bench/judge_rubric.md. Replies A and B are in random order.</p>"]  # fmt: skip
    for x in lines:
        meta = f"{x['item']} · {x['channel']} · {x['company']}" + (
            f" · {x['rating']}★" if x["rating"] else ""
        )
        parts.append(f"<section><h3>{esc(meta)}</h3>")
        for t in x["thread"]:
            who = "brand" if t["direction"] == "outbound" else (t.get("author") or "customer")
            parts.append(f"<p class=t><b>{esc(who)}:</b> {esc(t['text'])}</p>")
        parts.append(f"<p class=m>{esc(x['message'])}</p><div class=r><div><b>A</b>\n{esc(x['A'])}</div>"
                     f"<div><b>B</b>\n{esc(x['B'])}</div></div></section>")  # fmt: skip
    return "\n".join(parts) + "\n"


def score(sheet: Path, key_path: Path) -> dict[str, Any]:
    """The report of a filled sheet: ours against the real replies, overall and per source."""
    key = json.loads(key_path.read_text("utf-8"))
    rows = _read(sheet)
    per: dict[str, dict[str, Any]] = {"ours": defaultdict(list), "real": defaultdict(list)}
    versus: Counter[str] = Counter()
    by_source: dict[str, Counter[str]] = defaultdict(Counter)
    judged = 0
    harmful_items = []
    for row in rows:
        j = row.get("judgement") or {}
        ours_label = key[row["item"]]
        real_label = "B" if ours_label == "A" else "A"
        if not (j.get(ours_label) or {}).get("postable"):
            continue  # not judged yet
        judged += 1
        for who, label in (("ours", ours_label), ("real", real_label)):
            mark = j.get(label) or {}
            per[who]["postable"].append(mark.get("postable"))
            for s in SCORES:
                if isinstance(mark.get(s), int | float):
                    per[who][s].append(mark[s])
            per[who]["tags"].extend(mark.get("tags") or [])
            if who == "ours" and HARMFUL & set(mark.get("tags") or []):
                harmful_items.append(row["item"])
        better = j.get("better")
        outcome = "equal" if better in {None, "equal"} else ("better" if better == ours_label else "worse")
        versus[outcome] += 1
        src = by_source[row["source"]]
        src["n"] += 1
        src[f"ours_{(j.get(ours_label) or {}).get('postable')}"] += 1
        src[outcome] += 1

    def summary(who: str) -> dict[str, Any]:
        post = Counter(per[who]["postable"])
        n = max(1, len(per[who]["postable"]))
        return {
            **{f"postable_{p}": round(post[p] / n, 3) for p in POSTABLE},
            "postable_as_written_or_light": round((post["as_written"] + post["light_edits"]) / n, 3),
            **{s: round(statistics.fmean(per[who][s]), 2) if per[who][s] else None for s in SCORES},
            "tags": dict(Counter(per[who]["tags"]).most_common()),
        }

    n = max(1, judged)
    return {
        "judged": judged,
        "ours": {**summary("ours"), "harmful": len(harmful_items), "harmful_items": harmful_items},
        "real": summary("real"),
        "ours_vs_real": {k: round(versus[k] / n, 3) for k in ("better", "equal", "worse")},
        "ours_better_or_equal": round((versus["better"] + versus["equal"]) / n, 3),
        "by_source": {k: dict(v) for k, v in sorted(by_source.items())},
    }


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("sample", help="draft and write a blind sheet")
    s.add_argument("--n", type=int, default=220, help="items (>= 200 for a judged result)")
    s.add_argument("--seed", type=int, default=15)
    s.add_argument("--out", type=Path, default=None, help="folder (default: bench/judge_sheets/<commit>)")
    c = sub.add_parser("score", help="report a filled sheet")
    c.add_argument("sheet", type=Path)
    c.add_argument("--key", type=Path, default=None, help="key.json (default: next to the sheet)")
    args = parser.parse_args()
    if args.mode == "sample":
        out = args.out or Path(__file__).parent / "judge_sheets" / _commit()
        items = draft_items(_items(args.n, args.seed))
        write_sheet(items, out, args.seed)
        print(json.dumps({"items": len(items), "out": str(out), "commit": _commit()}))
    else:
        report = score(args.sheet, args.key or args.sheet.parent / "key.json")
        print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
