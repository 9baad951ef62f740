"""Automatic checks of the drafter that do not trust its own analysis (`python -m bench.replies --json`).

Messages: bench/data/replies_eval.jsonl (demo, review sentences, care tweets, hand-written edge cases)
plus the validation splits with gold feelings: airline_sentiment (gold negative/neutral/positive),
hospo_tripadvisor and gplay_dev_replies_taotao (their star ratings). Each is drafted with the real
``understand.analyze`` and ``respond.draft``. Every check reads the reply's words, not the drafter's
labels:

* ``stance_errors`` — a praise stance (the reply says it is glad, delighted, that the review made its
  day, thanks for kind words...) on a message that is gold-negative or rated 1-2 stars, or an apology
  ("sorry", "apologies") on a gold-positive or 5-star message. Listed in ``stance_error_examples``.
* ``non_verbatim_details`` — a specific the reply names (``DraftResult.details``) that is neither a span
  of the message in the customer's own casing (after its determiner) nor a playbook entity; and
  ``foreign_word_replies``: replies with a word found neither in the message, the playbook (phrasings,
  facts, entities, offers) nor the signer's and brand's names, i.e. words the drafter made up or garbled.
* ``lowercased_names`` — a capitalised name of the message (not at a sentence start) repeated in lower case.
* ``apologies_max`` / ``double_apologies`` — apologies per reply.
* ``handle_greetings`` — replies greeting a handle ("Hi Mohsin65317336"), over the eval set and a probe of
  handle-like author names.
* ``dm_on_email`` / ``x_over_280`` — channel slips (a DM request on e-mail; X or twitter over 280).
* ``violations_in_drafts`` / ``planted_caught`` — checker findings of severity ``violation`` on the drafts,
  and planted violations (offer, invented fact, personal data, length, forbidden phrase) caught.
* ``max_pair_overlap`` / ``mean_pair_overlap`` — word-trigram overlap between drafts of the eval set.
* ``draft_ms_p50/p95/max`` — wall time of ``draft()`` alone (analysis excluded, reported apart).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from trustdesk.respond import check_reply, draft, load_playbook
from trustdesk.respond.checker import apologies
from trustdesk.respond.extract import DOMAIN_NOUNS_EN
from trustdesk.respond.situations import channel_kind
from trustdesk.respond.text import SLOT, overlap, trigrams, words
from trustdesk.understand import MessageInput, analyze

DATA = Path(__file__).parent / "data" / "replies_eval.jsonl"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
PLAYBOOKS = Path(__file__).parent / "playbooks"
PRAISE_STANCE = re.compile(
    r"\b(glad you|so glad|really glad|pleased you|so pleased|great to hear|good to hear|lovely to hear|"
    r"made our day|kind words|lovely review|kind review|delighted|thrilled|hit the spot|was a hit|"
    r"means a lot|so kind|love reading|enjoy the app|see you next time|welcoming you back)\b",
    re.I,
)
HANDLES = ("Mohsin65317336", "john_p9764", "dwhitcombe", "A Google user", "@sarah.k", "user8812", "JANE_DOE")
_DM = re.compile(r"\b(DM|direct message|private message)\b", re.I)
_NAME_MID = re.compile(r"(?<=[a-z,;] )([A-Z][a-z]{2,})\b")


def _read(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _rows(limit: int | None) -> list[dict[str, Any]]:
    rows = [{**r, "gold": r.get("gold_sentiment")} for r in _read(DATA)]
    if SHARED.exists():
        for r in _read(SHARED / "airline_sentiment/validation.jsonl"):
            rows.append({"id": r["id"], "text": r["text"], "channel": "twitter", "playbook": "default",
                         "source": "airline_sentiment", "gold": r["label"]})  # fmt: skip
        for name, channel, playbook in (("hospo_tripadvisor", "tripadvisor", "hotel"),
                                        ("gplay_dev_replies_taotao", "google_play", "app")):  # fmt: skip
            for r in _read(SHARED / f"{name}/validation.jsonl"):
                if r.get("rating") is None:
                    continue
                gold = "negative" if r["rating"] <= 2 else "positive" if r["rating"] >= 5 else None
                rows.append({"id": r["id"], "text": r["text"], "channel": channel, "playbook": playbook,
                             "rating": r["rating"], "source": name, "gold": gold})  # fmt: skip
    return rows[:limit] if limit else rows


def _playbook(name: str) -> Any:
    path = PLAYBOOKS / f"{name}.yaml"
    return load_playbook(path if path.exists() else None if name == "default" else name)


def _vocabulary(pb: Any) -> set[str]:
    """Every word the playbook may put in a reply."""
    texts = [SLOT.sub(" ", t) for lang in pb.phrases.values() for step in lang.values() for ts in step.values()
             for t in ts]  # fmt: skip
    f = pb.facts
    texts += [f.brand, f.short_name or "", f.care_email or "", f.reply_within or "", *f.statements,
              *f.opening_hours, *(a for q in f.faq for a in q.answers()), *(p.name for p in f.products),
              *(a for p in f.products for a in p.aliases), *(s.name for s in f.staff), *(loc.name for loc in
              f.locations), *(loc.city for loc in f.locations), *(o for r in pb.compensation for o in
              r.offer.values()), pb.voice.signer or ""]  # fmt: skip
    # The problem phrases, needs and relations the drafter words itself.
    from trustdesk.respond import compose

    texts += [*compose._PROBLEM_PHRASES.values(), *compose._NEED.values()]
    texts += ["losing your delivery not arriving missing lost being lukewarm cold problem with freezing"]
    texts += ["husband wife partner mum mom mother dad father son daughter baby child brother sister",
              "grandmother grandfather grandma grandpa nan gran friend infant newborn toddler little one"]  # fmt: skip
    return {w for t in texts for w in words(t)}


def _entities(pb: Any) -> set[str]:
    f = pb.facts
    names = [p.name for p in f.products] + [s.name for s in f.staff] + [loc.name for loc in f.locations]
    names += [f"{loc.name} {j} {loc.city}" for loc in f.locations for j in ("in", "en")]
    names += [a for p in f.products for a in p.aliases]
    return set(names)


def _verbatim(detail: str, message: str, entities: set[str]) -> bool:
    """A detail is the customer's own span (after our determiner) or a playbook entity."""
    if detail in entities or detail.removeprefix("the ") in entities:
        return True
    body = re.sub(r"^(?:the|your|el|la|los|las|tu|tus)\s+", "", detail)
    if body in message:
        return True
    # The customer's capital at a sentence start ("Checkout takes forever") or shouting is not kept.
    message = re.sub(r"[#@]\w+", " ", message).strip()  # a handle before a word leaves it at the start
    for m in re.finditer(re.escape(body), message, re.I):
        seen = m.group(0)
        start = message[: m.start()].rstrip()[-1:] in {".", "!", "?", ":", ";", "\n", "", "…", "-", "—"}
        if seen.isupper() or (start and seen[0].isupper() and seen[1:] == body[1:]):
            return True
    return False


def _greeting(reply: str) -> str | None:
    m = re.match(r"^(?:Hi|Hello|Hey|Dear|Hola),? ([^\s,:!]+)[,:!]", reply)
    return m.group(1) if m and m.group(1) not in {"there"} else None


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
    """Draft every message and run the checks."""
    rows = _rows(limit)
    playbooks = {name: _playbook(name) for name in {r["playbook"] for r in rows}}
    vocab = {name: _vocabulary(pb) for name, pb in playbooks.items()}
    entities = {name: _entities(pb) for name, pb in playbooks.items()}
    inputs = [MessageInput(text=r["text"], channel=channel_kind(r.get("channel"), playbooks[r["playbook"]]),
                           author=r.get("author"), rating=r.get("rating")) for r in rows]  # fmt: skip
    t0 = time.perf_counter()
    analyses = analyze(inputs)
    analysis_s = time.perf_counter() - t0
    c: Counter[str] = Counter()
    timings: list[float] = []
    examples: dict[str, list[dict[str, Any]]] = {"stance": [], "detail": [], "foreign": [], "lowercased": []}
    eval_replies: list[str] = []
    recent: list[str] = []
    planted, caught = Counter[str](), Counter[str]()
    samples = []
    for row, analysis in zip(rows, analyses, strict=True):
        pb = playbooks[row["playbook"]]
        start = time.perf_counter()
        result = draft(text=row["text"], analysis=analysis, playbook=pb, channel=row.get("channel"),
                       author=row.get("author"), rating=row.get("rating"), recent_replies=recent)  # fmt: skip
        timings.append((time.perf_counter() - start) * 1000)
        reply = result.reply
        if reply is None:
            c["no_reply"] += 1
            continue
        c["drafted"] += 1
        recent.append(reply)
        if row["source"] not in {"airline_sentiment", "hospo_tripadvisor", "gplay_dev_replies_taotao"}:
            eval_replies.append(reply)
        c["violations_in_drafts"] += sum(f.severity == "violation" for f in result.findings)
        c["escalated"] += result.escalate
        gold, body = row.get("gold"), reply
        praise_stance = bool(PRAISE_STANCE.search(body))
        if gold is not None:
            c[f"gold_{gold}"] += 1
        if gold == "negative" and praise_stance or gold == "positive" and apologies(body):
            c["stance_errors"] += 1
            examples["stance"].append(
                {"id": row["id"], "gold": gold, "text": row["text"][:200], "reply": reply}
            )
        n_apol = apologies(reply)
        c["apologies_max"] = max(c["apologies_max"], n_apol)
        c["double_apologies"] += n_apol > 1
        for detail in result.details:
            c["details"] += 1
            if not _verbatim(detail, row["text"], entities[row["playbook"]]):
                c["non_verbatim_details"] += 1
                examples["detail"].append({"id": row["id"], "detail": detail, "text": row["text"][:200]})
        allowed = vocab[row["playbook"]] | set(words(row["text"])) | set(words(row.get("author") or ""))
        foreign = [w for w in words(reply) if w not in allowed and not w.isdigit()]
        if foreign:
            c["foreign_word_replies"] += 1
            examples["foreign"].append({"id": row["id"], "words": foreign[:5], "reply": reply})
        names = {m.group(1) for m in _NAME_MID.finditer(row["text"])} - {w.capitalize() for w in vocab[
            row["playbook"]]} - {w.capitalize() for w in DOMAIN_NOUNS_EN}  # fmt: skip
        low = [n for n in names if re.search(rf"\b{n.lower()}\b", reply)]
        if low:
            c["lowercased_names"] += 1
            examples["lowercased"].append({"id": row["id"], "names": low, "reply": reply})
        greeted = _greeting(reply)
        if greeted and (any(ch.isdigit() or ch == "_" for ch in greeted) or greeted.islower()):
            c["handle_greetings"] += 1
        kind = channel_kind(row.get("channel"), pb)
        c["dm_on_email"] += kind == "email" and bool(_DM.search(reply))
        c["x_over_280"] += kind == "x" and len(reply) > 280
        if c["drafted"] % 9 == 1:
            for code, (bad, channel) in _plant(reply, pb).items():
                planted[code] += 1
                found = check_reply(message=row["text"], reply=bad, playbook=pb, analysis=analysis,
                                    channel=channel or row.get("channel"))  # fmt: skip
                caught[code] += code in {f.code for f in found}
        samples.append({"id": row["id"], "source": row["source"], "gold": gold, "rating": row.get("rating"),
                        "text": row["text"][:300], "stance": result.stance, "reply": reply})  # fmt: skip
    # Handle-like author names: a reply never greets them.
    probe = analyze([MessageInput(text="The app keeps crashing since the update.")])[0]
    for handle in HANDLES:
        r = draft(text="The app keeps crashing since the update.", analysis=probe, playbook=playbooks["default"]
                  if "default" in playbooks else load_playbook(None), channel="twitter", author=handle)  # fmt: skip
        greeted = _greeting(r.reply or "")
        c["handle_probe"] += 1
        c["handle_greetings"] += greeted is not None
    tri = [trigrams(r) for r in eval_replies]
    overlaps = [overlap(a, b) for i, a in enumerate(tri) for b in tri[i + 1 :]]
    timings.sort()
    return {
        "messages": len(rows),
        "drafted": c["drafted"],
        "no_reply": c["no_reply"],
        "escalated": c["escalated"],
        "gold_negative": c["gold_negative"],
        "gold_positive": c["gold_positive"],
        "stance_errors": c["stance_errors"],
        "details": c["details"],
        "non_verbatim_details": c["non_verbatim_details"],
        "foreign_word_replies": c["foreign_word_replies"],
        "lowercased_names": c["lowercased_names"],
        "apologies_max": c["apologies_max"],
        "max_apologies": c["apologies_max"],
        "double_apologies": c["double_apologies"],
        "handle_greetings": c["handle_greetings"],
        "handle_probe": c["handle_probe"],
        "dm_on_email": c["dm_on_email"],
        "x_over_280": c["x_over_280"],
        "violations_in_drafts": c["violations_in_drafts"],
        "planted": sum(planted.values()),
        "planted_caught": round(sum(caught.values()) / max(1, sum(planted.values())), 4),
        "planted_missed": {k: planted[k] - caught[k] for k in planted if planted[k] != caught[k]},
        "max_pair_overlap": round(max(overlaps, default=0.0), 4),
        "mean_pair_overlap": round(statistics.fmean(overlaps), 4) if overlaps else 0.0,
        "pairs_over_50": round(sum(o > 0.5 for o in overlaps) / max(1, len(overlaps)), 4),
        "draft_ms_p50": round(timings[len(timings) // 2], 2),
        "draft_ms_p95": round(timings[max(0, int(len(timings) * 0.95) - 1)], 2),
        "draft_ms_max": round(timings[-1], 2),
        "analysis_s": round(analysis_s, 2),
        "stance_error_examples": examples["stance"][:20],
        "non_verbatim_examples": examples["detail"][:20],
        "foreign_word_examples": examples["foreign"][:20],
        "lowercased_examples": examples["lowercased"][:10],
        "_samples": samples,
    }


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
            if not key.endswith("_examples"):
                print(f"{key:>22}: {value}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
