"""Which stock phrases real care teams overuse: measured on ../shared/data/twcs_brand_replies.

33,299 real replies by brand care teams on Twitter (CC BY-NC-SA 4.0: used here to measure, never shipped).
Each reply is lower-cased, its @handles, links and sign-offs ("/JP", "-Anwar", "^MM") removed; every word
3- to 6-gram it holds is counted once. A phrase's share is the mean, over the companies with at least 400
replies (7 of the 14), of the share of that company's replies holding it, so the two largest (Spotify,
Apple: 66 % of the rows) do not decide alone; "companies" counts those among the 7 where at least 0.5 % of
replies hold it. A phrase is kept when its share is at least 0.5 % and 3 or more companies use it, and a
shorter phrase is dropped when a longer one that contains it covers 80 % of its uses.

The list the drafter and checker use is ``trustdesk.respond.cliches.CLICHES``: the phrases of this output
that say nothing about the customer's case, picked by reading it (see that module).

    python -m bench.cliches --json [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
MIN_COMPANY_ROWS = 400
MIN_SHARE = 0.005
_CLEAN = [
    (re.compile(r"https?://\S+"), " "),
    (re.compile(r"@\w+"), " "),
    (re.compile(r"(?:^|\s)[/^\-–—~]\s?[A-Za-z]{1,12}\.?\s*$"), " "),  # sign-offs: /JP, -Anwar, ^MM
]
WATCHED = (
    "dm us",
    "let us know",
    "send us a dm",
    "can you dm us",
    "please dm us",
    "take a look",
    "take a closer look",
    "look into",
    "see what we can",
    "we're here to help",
    "here for you",
    "we can help",
    "happy to help",
    "to assist you",
    "reach out",
    "give us a shout",
    "thanks for sharing",
    "thanks for letting us know",
    "we appreciate your",
    "have a great day",
    "sorry for the inconvenience",
    "sorry to hear that",
)
"""The phrases of ``trustdesk.respond.cliches``, each measured exactly as written (whole words)."""
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def words(text: str) -> list[str]:
    """The words of a reply without its handles, links and sign-off, lower-cased."""
    for pattern, repl in _CLEAN:
        text = pattern.sub(repl, text)
    return [w.replace("’", "'") for w in _WORD.findall(text.lower())]


def grams(tokens: list[str]) -> set[str]:
    """Every word 3- to 6-gram of a reply's words."""
    return {" ".join(tokens[i : i + n]) for n in range(3, 7) for i in range(len(tokens) - n + 1)}


def measure(path: Path) -> dict:
    """Phrase shares per company and overall, and the phrases that pass the bars."""
    by_company: dict[str, list[set[str]]] = defaultdict(list)
    texts: dict[str, list[str]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("reply"):
            tokens = words(row["reply"])
            by_company[row["company"]].append(grams(tokens))
            texts[row["company"]].append(f" {' '.join(tokens)} ")
    big = {c: rows for c, rows in by_company.items() if len(rows) >= MIN_COMPANY_ROWS}
    shares: dict[str, dict[str, float]] = defaultdict(dict)
    for company, rows in big.items():
        counts = Counter(g for r in rows for g in r)
        for gram, n in counts.items():
            if n / len(rows) >= 0.002:
                shares[gram][company] = n / len(rows)
    phrases = []
    for gram, per in shares.items():
        share = sum(per.values()) / len(big)
        companies = sum(1 for v in per.values() if v >= MIN_SHARE)
        if share >= MIN_SHARE and companies >= 3:
            phrases.append({"phrase": gram, "share": round(share, 4), "companies": companies})
    phrases.sort(key=lambda p: -p["share"])
    kept = []
    for p in phrases:
        covered = any(p["phrase"] in q["phrase"] and q["phrase"] != p["phrase"] and q["share"] >= 0.8 * p["share"]
                      for q in phrases)  # fmt: skip
        if not covered:
            kept.append(p)
    watched = {}
    for phrase in WATCHED:
        per = {c: sum(f" {phrase} " in t for t in texts[c]) / len(texts[c]) for c in big}
        watched[phrase] = {"share": round(sum(per.values()) / len(big), 4),
                           "companies": sum(1 for v in per.values() if v >= MIN_SHARE)}  # fmt: skip
    return {
        "watched": watched,
        "replies": sum(len(r) for r in by_company.values()),
        "companies_measured": {c: len(r) for c, r in sorted(big.items(), key=lambda kv: -len(kv[1]))},
        "phrases": kept,
    }


def main() -> None:
    """Measure and print JSON."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--json", action="store_true", help="one line of JSON")
    args = ap.parse_args()
    start = time.perf_counter()
    result = measure(args.data / "twcs_brand_replies" / "train.jsonl")
    result["seconds"] = round(time.perf_counter() - start, 1)
    print(json.dumps(result, indent=None if args.json else 2, ensure_ascii=False))


if __name__ == "__main__":
    main()
