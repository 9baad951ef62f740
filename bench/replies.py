"""Benchmark of the respond drafter over bench/data/replies_eval.jsonl (`python -m bench.replies --json`).

Metrics (each defined here, computed from the real `understand.analyze` + `respond.draft`):

* ``detail_rate`` — among drafted replies to messages that contain a specific detail, the share whose reply
  mentions one. A message's *details* are the words of the playbook's products, staff and locations it
  uses, and its likely nouns: words (not function/evaluative/brand words) that follow a determiner
  within two words ("the cracked lid", "my refund") or are in the bench's own list of things customers
  write about (``_NOUNS``). The reply *mentions* one when it contains a word sharing its first five
  letters (so "crashes" matches "crashing"). ``detail_rate_loose`` counts every word of >= 4 letters
  that is not a function, evaluative or brand word as a detail (harsher: "eating", "junk" count).
  ``detail_rate_strict`` also drops every word that occurs anywhere in the playbook's stock phrasings, so a
  match can only come from the message (e.g. "app" in a stock "the app team" does not count).
* ``ack_rate`` — among drafted replies to messages the analysis calls negative (corrected by a 1–2 star
  rating, unmistakable complaint words, and calm messages made only of questions, which count as neutral:
  ``respond.situations.effective_sentiment``), the share with an acknowledgement of the feeling (the bench's own lexicon: sorry, apologies,
  understand, frustrating, disappointing, concerned, worried, upset, let down, ... and Spanish forms).
  ``ack_rate_gold`` is the same over messages whose *gold* label is negative (where a dataset has one).
* ``thanks_rate`` — among drafted replies to positive messages (same definition), the share that thanks.
* ``max_pair_overlap`` / ``mean_pair_overlap`` / ``pairs_over_50`` — over every pair of drafted replies,
  the share of the smaller reply's word trigrams found in the other (``respond.text.overlap``).
  Drafts are made in file order, each seeing the earlier ones as ``recent_replies`` (a desk posting them).
* ``violations_in_drafts`` — findings of severity ``violation`` (policy, platform, privacy) on the chosen
  drafts. ``planted_caught`` — the checker run on drafts with planted violations (unauthorised offer,
  invented fact, personal data, over-length on Google Play, forbidden phrase): share caught.
* ``draft_ms_p50/p95/max`` — wall time of `draft()` alone (analysis excluded and reported separately).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from trustdesk.respond import check_reply, draft, load_playbook
from trustdesk.respond.situations import channel_kind, effective_sentiment
from trustdesk.respond.text import SLOT, overlap, trigrams, words
from trustdesk.understand import MessageInput, analyze

DATA = Path(__file__).parent / "data" / "replies_eval.jsonl"


def _set(text: str) -> set[str]:
    return set(text.split())


_STOP = _set(
    """
    that this with have from they them their there what when where which while would could should about
    your yours just like will been were into than then also very really much many more most some such
    only even ever every because being does done doing make made them these those after before again
    still here over under other another same each both again back good great nice best better love loved
    lovely amazing awesome terrible awful horrible worst bad poor excellent fantastic perfect thanks
    thank please know think thought want wanted need needed said says going went come came time times
    thing things people today yesterday always never nothing something anything everything anyone
    someone everyone nobody well though through ever since until maybe without within while whole quite
    pretty totally absolutely para pero como porque muy más todo todos esta este estos estas están
    estaba fue gracias bien mucho muchos nada siempre nunca también cuando donde sobre tiene tengo tenía
    hacer hace
    """
)
# Words that follow these are usually nouns ("the lid", "my refund", "two lattes").
_DETERMINERS = _set(
    """
    the my our your their this that these those his her its two three some any no a an
    """
)
# The bench's own list of things customers write about (kept apart from the drafter's lexicon).
_NOUNS = _set(
    """
    coffee latte tea cake bun croissant toastie sandwich breakfast lunch food meal menu drink drinks
    milk beans bag box subscription order orders purchase delivery parcel package courier postage
    shipping refund refunds payment card charge invoice receipt price prices account password login app
    update website checkout basket button screen battery phone headset charger sound quality service
    staff barista waiter waitress manager team queue wait music wifi seats table toilet floor door lid
    cup jacket tent boots rucksack zip zipper size colour color fit warranty guarantee return returns
    exchange product item items store shop cafe café branch location parking email support chat agent
    rewards points loyalty voucher discount portion taste flavour smell temperature hair glass plot
    movie film acting actor script ending game server channel video camera keyboard speaker signal pizza
    pasta salad burger fries chicken steak fish soup bread dessert brownie cookie olives noodles pedido
    envío café chaqueta bolsa aplicación cuenta precio servicio camarero cremallera
    """
)
_EMPATHY = re.compile(
    r"sorry|apolog|understand|frustrat|disappoint|concern|worr|upset|let down|let you down|fell short|"
    r"not good enough|shame|hear you|angry|annoy|confus|sentimos|lo siento|lamentamos|disculpa|entendemos|"
    r"comprendemos|preocupa|frustrante|enfado|decepci",
    re.I,
)
_THANKS = re.compile(r"thank|grateful|gracias|agradec", re.I)


def _stem(word: str) -> str:
    return word[:5]


def _content_words(text: str, exclude: set[str]) -> set[str]:
    """Loose details: every word of >= 4 letters that is not a function, evaluative or brand word."""
    return {
        w
        for w in words(text)
        if len(w) >= 4 and w.isalpha() and w not in _STOP and w not in exclude and not w.startswith("http")
    }


def _detail_words(text: str, exclude: set[str], entities: set[str]) -> set[str]:
    """Specific details: playbook entities, and likely nouns (after a determiner, or in the bench's list)."""
    toks = [w.removesuffix("'s") for w in words(text)]
    found = {w for w in toks if w in entities}
    for i, w in enumerate(toks):
        if not w.isalpha() or len(w) < 3 or w in _STOP or w in exclude:
            continue
        after_det = any(t in _DETERMINERS for t in toks[max(0, i - 2) : i])
        if w in _NOUNS or (after_det and len(w) >= 4):
            found.add(w)
    return found


def _entity_words(playbook: Any) -> set[str]:
    facts = playbook.facts
    names = [s.name for s in facts.staff] + [p.name for p in facts.products]
    names += [a for p in facts.products for a in p.aliases] + [loc.name for loc in facts.locations]
    names += [a for loc in facts.locations for a in loc.aliases] + [loc.city for loc in facts.locations]
    return {w for n in names for w in words(n) if len(w) >= 3} - {"bluebird", "the", "app", "your"}


def _mentions(reply: str, details: set[str]) -> bool:
    stems = {_stem(w) for w in words(reply)}
    return any(_stem(d) in stems for d in details)


def _stock_words(playbook: Any, language: str) -> set[str]:
    table = playbook.phrases.get(language, {})
    return {w for step in table.values() for ts in step.values() for t in ts for w in words(SLOT.sub(" ", t))}


def _plant(reply: str, playbook: Any) -> dict[str, tuple[str, str | None]]:
    """Violations planted into a draft: name -> (reply, channel)."""
    forbidden = playbook.forbidden_phrases[0] if playbook.forbidden_phrases else "sorry for any inconvenience"
    return {
        "unauthorised_compensation": (reply + " Here's 50% off your next order.", None),
        "invented_fact": (reply + " We're open until 11pm every Sunday.", None),
        "personal_data": (reply + " We've emailed jane.doe@example.com.", "facebook"),
        "platform_length": (reply + " We care about every detail." * 12, "google_play"),
        "forbidden_phrase": (reply + f" {forbidden.capitalize()}.", None),
    }


def run(limit: int | None = None) -> dict[str, Any]:
    """Draft every message of the evaluation set and compute the metrics."""
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = rows[:limit] if limit else rows
    playbooks = {
        name: load_playbook(None if name == "default" else name) for name in {r["playbook"] for r in rows}
    }
    inputs = [
        MessageInput(
            text=r["text"],
            channel=channel_kind(r.get("channel"), playbooks[r["playbook"]]),
            author=r.get("author"),
            rating=r.get("rating"),
        )  # fmt: skip
        for r in rows
    ]
    t0 = time.perf_counter()
    analyses = analyze(inputs)
    analysis_s = time.perf_counter() - t0
    coverage = {
        "channels": dict(Counter(m.channel or "none" for m in inputs).most_common()),
        "intents": dict(Counter(a.intent for a in analyses).most_common()),
        "languages": dict(Counter(a.language for a in analyses).most_common()),
    }
    entities = {name: _entity_words(pb) for name, pb in playbooks.items()}
    recent: list[str] = []
    timings: list[float] = []
    c: Counter[str] = Counter()
    per_source: dict[str, Counter[str]] = defaultdict(Counter)
    samples: list[dict[str, Any]] = []
    planted = Counter[str]()
    caught = Counter[str]()
    for row, analysis in zip(rows, analyses, strict=True):
        pb = playbooks[row["playbook"]]
        start = time.perf_counter()
        result = draft(text=row["text"], analysis=analysis, playbook=pb, channel=row.get("channel"),
                       author=row.get("author"), rating=row.get("rating"), recent_replies=recent)  # fmt: skip
        timings.append((time.perf_counter() - start) * 1000)
        src = per_source[row["source"]]
        src["n"] += 1
        if result.reply is None:
            c["no_reply"] += 1
            src["no_reply"] += 1
            continue
        reply = result.reply
        recent.append(reply)
        c["drafted"] += 1
        c["violations_in_drafts"] += sum(f.severity == "violation" for f in result.findings)
        c["escalated"] += result.escalate
        exclude = {w for w in words(f"{pb.facts.short_name or ''} {pb.voice.signer or ''}")}
        loose = _content_words(row["text"], exclude)
        if loose:
            c["loose_n"] += 1
            c["loose_ok"] += _mentions(reply, loose)
        details = _detail_words(row["text"], exclude, entities[row["playbook"]])
        if details:
            ok = _mentions(reply, details)
            c["detail_n"] += 1
            c["detail_ok"] += ok
            src["detail_n"] += 1
            src["detail_ok"] += ok
            strict = details - _stock_words(pb, result.language)
            if strict:
                c["strict_n"] += 1
                c["strict_ok"] += _mentions(reply, strict)
        sentiment = effective_sentiment(analysis, row.get("rating"), row["text"])
        if sentiment == "negative":
            c["neg_n"] += 1
            c["neg_ok"] += bool(_EMPATHY.search(reply))
        if sentiment == "positive":
            c["pos_n"] += 1
            c["pos_ok"] += bool(_THANKS.search(reply))
        if row.get("gold_sentiment") == "negative":
            c["gold_neg_n"] += 1
            c["gold_neg_ok"] += bool(_EMPATHY.search(reply))
        if c["drafted"] % 9 == 1:
            for code, (bad, channel) in _plant(reply, pb).items():
                planted[code] += 1
                found = check_reply(message=row["text"], reply=bad, playbook=pb, analysis=analysis,
                                    channel=channel or row.get("channel"))  # fmt: skip
                caught[code] += code in {f.code for f in found}
        if len(samples) < 2000:
            samples.append({"id": row["id"], "text": row["text"][:300], "channel": row.get("channel"),
                            "sentiment": sentiment, "emotion": analysis.emotion, "intent": analysis.intent,
                            "situation": result.situation, "reply": reply,
                            "findings": [f.code for f in result.findings]})  # fmt: skip
    tri = [trigrams(r) for r in recent]
    overlaps = [overlap(a, b) for i, a in enumerate(tri) for b in tri[i + 1 :]]
    timings.sort()

    def rate(ok: str, n: str) -> float | None:
        return round(c[ok] / c[n], 4) if c[n] else None

    return {
        "messages": len(rows),
        "drafted": c["drafted"],
        "no_reply": c["no_reply"],
        "escalated": c["escalated"],
        "detail_rate": rate("detail_ok", "detail_n"),
        "detail_n": c["detail_n"],
        "detail_rate_strict": rate("strict_ok", "strict_n"),
        "detail_rate_loose": rate("loose_ok", "loose_n"),
        "loose_n": c["loose_n"],
        "ack_rate": rate("neg_ok", "neg_n"),
        "ack_n": c["neg_n"],
        "ack_rate_gold": rate("gold_neg_ok", "gold_neg_n"),
        "thanks_rate": rate("pos_ok", "pos_n"),
        "thanks_n": c["pos_n"],
        "max_pair_overlap": round(max(overlaps, default=0.0), 4),
        "mean_pair_overlap": round(statistics.fmean(overlaps), 4) if overlaps else 0.0,
        "pairs_over_50": sum(o > 0.5 for o in overlaps),
        "violations_in_drafts": c["violations_in_drafts"],
        "planted": sum(planted.values()),
        "planted_caught": round(sum(caught.values()) / max(1, sum(planted.values())), 4),
        "planted_missed": {k: planted[k] - caught[k] for k in planted if planted[k] != caught[k]},
        "draft_ms_p50": round(timings[len(timings) // 2], 2),
        "draft_ms_p95": round(timings[int(len(timings) * 0.95) - 1], 2),
        "draft_ms_max": round(timings[-1], 2),
        "analysis_s": round(analysis_s, 2),
        "per_source_detail": {k: rate_of(v) for k, v in sorted(per_source.items())},
        "coverage": coverage,
        "_samples": samples,
    }


def rate_of(counter: Counter[str]) -> dict[str, Any]:
    """Per-source summary."""
    n = counter["detail_n"]
    return {"n": counter["n"], "no_reply": counter["no_reply"],
            "detail_rate": round(counter["detail_ok"] / n, 4) if n else None}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON summary")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--samples", type=Path, default=None, help="write drafted samples (JSONL) here")
    args = parser.parse_args()
    result = run(args.limit)
    samples = result.pop("_samples")
    if args.samples:
        args.samples.write_text("\n".join(json.dumps(s, ensure_ascii=False) for s in samples) + "\n")
    if not args.json:
        for key, value in result.items():
            print(f"{key:>22}: {value}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
