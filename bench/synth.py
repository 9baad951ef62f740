"""Seeded synthetic messages in the generic JSONL import schema, fast enough to stream a million lines.

    python -m bench.synth --messages 1000000 --seed 7 > /tmp/synth.jsonl
    python -m bench.synth --messages 200000 --seed 7 --out /tmp/s.jsonl --json   # throughput on stderr

Shape, chosen to look like a real inbox rather than uniform noise: ~60% new conversations and ~40%
replies threaded onto recent earlier ids (follow-ups, the brand's own replies, other customers joining
in); ~25% of messages come from an author seen before; ratings only on rating channels; timestamps
strictly increasing over a year; ~10% of X and Facebook conversations are private DMs; texts built
from hand-written fragments plus product names, staff names, order numbers (BB-xxxxxx, some shared by a
few dozen messages, some nearly unique) and a Zipf-like tail of rare words, so full-text search terms
range from "in every other message" to "in one message".

Lines are assembled from pre-escaped JSON fragments instead of ``json.dumps`` per record: that is what
makes >200k lines/s possible in pure Python.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, datetime
from random import Random
from typing import Any

DEFAULT_CHANNELS: tuple[str, ...] = (
    "google-canal-street",
    "google-old-town",
    "google-riverside",
    "play-store",
    "app-store",
    "facebook",
    "x",
    "trustpilot",
    "email",
    "website",
    "webhook",
)
RATED_CHANNELS: frozenset[str] = frozenset(
    {"google-canal-street", "google-old-town", "google-riverside", "play-store", "app-store", "trustpilot"}
)
DEFAULT_START = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)
YEAR_SECONDS = 365 * 86400
# Relative weight of each channel (by name; unknown names get 1.0) so the mix resembles the demo.
_CHANNEL_WEIGHT = {"facebook": 2.0, "x": 2.0, "trustpilot": 1.5, "play-store": 1.2, "webhook": 0.4}
_TITLED = frozenset({"app-store", "trustpilot", "email"})
_RECENT_ROOTS = 4096  # replies land on one of the last this-many conversations


def _esc(text: str) -> str:
    """JSON-escape ``text`` without the surrounding quotes."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


PRODUCTS = (
    "flat white", "oat latte", "chai latte", "cold brew", "cardamom bun", "almond croissant",
    "sourdough toastie", "Morning Blend", "Dark Harbour", "Monthly Beans", "Bluebird Rewards", "the app",
)  # fmt: skip
PLACES = ("Canal Street", "Old Town", "Riverside")
STAFF = (
    "Priya", "Tom", "Aisha", "Marco", "Jess", "Chloe", "Euan", "Ben", "Kieran", "Sophie", "Dan", "Maya",
    "Olu", "Freya", "Ravi", "Niamh", "Callum", "Zara", "Hugo", "Ines", "Leon", "Bea", "Rory", "Tasha",
)  # fmt: skip
FIRST = (
    "Amy", "Joe", "Liam", "Kate", "Ellie", "Rebecca", "Owen", "Rob", "Sandra", "Tariq", "Lucia", "Gary",
    "Fiona", "Dev", "Martina", "Chris", "Nadia", "Hollie", "Jordan", "Paul", "Camille", "Aaron", "Mia",
    "Stuart", "Javier", "Carmen", "Morag", "Graham", "Elaine", "Hamish", "Zoe", "Katrin", "Fraser", "Ruth",
    "Connor", "Priscilla", "Iain", "Pablo", "Sophie", "Claire", "Niall", "Bex", "Omar", "Derek", "Alison",
    "Kirsty", "Lewis", "Imogen", "Ben", "Natalie", "Ryan", "Gareth", "Helen", "Jade", "Mark", "Chloe",
    "Andrea", "Vicky", "Lauren", "Simon", "Dean", "Aidan", "Harriet", "Keith", "Farah", "Aimee", "Megan",
    "Sam", "Daniel", "Rhys", "Leah", "Jasmine", "Ollie", "Kieran", "Marta", "Becky", "Arjun", "Pete", "Lily",
    "Wayne", "Nina", "Hugh", "Shirley", "Jamal", "Jonas", "Grace", "Adam", "Sian", "Dominic", "Tasha",
    "Howard", "Bilal", "Tilly", "Ravi", "Beth", "Marcus", "Jenny", "Oscar", "Gemma", "Clive", "Yasmin",
)  # fmt: skip
LAST = (
    "Clarke", "Marsh", "Roper", "Bamford", "Iqbal", "Fenwick", "Shaw", "Pritchard", "Tennant", "Kerr",
    "Mahmood", "Fernandez", "Holt", "Walsh", "Patel", "Russo", "Doyle", "Haddad", "Grant", "Pike", "Ingram",
    "Laurent", "Blake", "Thornton", "Campbell", "Morales", "Ruiz", "Sinclair", "Boyd", "Ross", "Adams",
    "Vogel", "Dunn", "Allan", "Hughes", "Ng", "Murray", "Sanchez", "Lane", "Donnelly", "Ferguson", "Mitchell",
    "Stott", "Reid", "Baird", "Hart", "Osei", "Price", "Cole", "Pryce", "Ward", "Foster", "Ellison", "Evans",
    "Gomez", "Hammond", "Webb", "Fox", "Jones", "Hooper", "Moss", "Nair", "Lowe", "Barton", "Khan", "Carter",
    "Okoro", "Kim", "Morgan", "Bennett", "Ali", "Turner", "Lloyd", "Jimenez", "Sutton", "Mehta", "Hardy",
)  # fmt: skip

# (sentiment, language) -> sentences; "{p}" product, "{l}" location, "{s}" staff, "{o}" order number.
_SENTENCES: dict[tuple[str, str], tuple[str, ...]] = {
    ("neg", "en"): (
        "The {p} was cold again at {l}.",
        "Waited twenty minutes for a {p} and nobody said sorry.",
        "My order {o} never arrived and nobody answers emails.",
        "Charged twice for {p}, still waiting on the refund.",
        "The app checkout hangs forever then says something went wrong.",
        "{s} at {l} was rude when I asked for a receipt.",
        "Tables dirty, bins overflowing, not good enough.",
        "Prices keep going up and the {p} keeps getting smaller.",
        "Third time this month the {p} has been wrong.",
        "Tracking for {o} says delivered, nothing at my door.",
        "Logged out of the app again, lost my rewards stamps.",
        "Found something in my {p} that should not have been there.",
        "Not impressed.",
        "Honestly disappointed, used to love this place.",
        "Cancelled my subscription after {o} went missing.",
    ),
    ("neu", "en"): (
        "What time does {l} open on Sundays?",
        "Do you ship {p} to Ireland or the EU?",
        "Is the {p} gluten-free?",
        "Can I pause Monthly Beans over Christmas?",
        "Could you change the address on {o}?",
        "Is there a decaf version of {p}?",
        "Is {s} working at {l} this weekend?",
        "Do you take group bookings at {l}?",
        "Does the {p} contain nuts?",
        "The {p} was fine, nothing special.",
        "Would love more seating at {l}.",
        "Any student discount?",
    ),
    ("pos", "en"): (
        "Best {p} in town, hands down.",
        "{s} at {l} is an absolute star.",
        "Lovely team at {l}, always friendly.",
        "The {p} is incredible, buying a bag for home.",
        "Order {o} arrived a day early, beautifully packed.",
        "Quick, friendly, and the {p} was perfect.",
        "Thank you {s} for making my morning.",
        "My go-to before work.",
        "Marco's Dark Harbour is the best espresso I've had at home.",
        "The app is quick now, ready when I walk in.",
        "Cosy, clean and the {p} is spot on.",
        "Ten out of ten, would recommend.",
    ),
    ("neg", "es"): (
        "El {p} llegó frío otra vez.",
        "Mi pedido {o} nunca llegó y nadie responde.",
        "Me cobraron dos veces, espero el reembolso.",
    ),
    ("neu", "es"): ("¿Enviáis {p} a España?", "¿A qué hora abre {l} el domingo?"),
    ("pos", "es"): ("El mejor {p} que he probado.", "{s} nos atendió genial en {l}.", "Café buenísimo."),
    ("neg", "fr"): ("Le {p} était froid.", "Ma commande {o} n'est jamais arrivée."),
    ("neu", "fr"): ("Livrez-vous le {p} en France ?",),
    ("pos", "fr"): ("Le {p} est délicieux.", "Accueil chaleureux à {l}."),
    ("neg", "de"): ("Der {p} war kalt.", "Meine Bestellung {o} ist nie angekommen."),
    ("neu", "de"): ("Liefert ihr {p} nach Deutschland?",),
    ("pos", "de"): ("Super {p}, sehr freundliches Personal.", "{s} in {l} war toll."),
}
_SPAM = (
    "Get 10,000 real followers for £9.99 at boost-fans.example",
    "CRYPTO GIVEAWAY send 0.1 BTC get 0.5 BTC back t.me/giveaway",
    "Claim your free iPhone at win-prizes-now.example",
    "Earn $500/day from home, visit quick-cash-jobs.example",
    "Cheap likes and followers fast ➡️ fastfollowers.example",
    "YOU ARE ALL USELESS!!! WORST COFFEE EVER!!! NEVER AGAIN!!!",
)
_BRAND_REPLIES = (
    "Thanks so much for the kind words, we'll pass them on to the team. – Jess",
    "Sorry about this. Could you email care@bluebirdcoffee.example with your order number? – Jess",
    "Hi! We're open 07:00–18:00 on weekdays and 08:00–17:00 at weekends.",
    "We ship beans across the UK and the EU; UK delivery is free over £25.",
    "That's not the experience we want for you. I've refunded the duplicate charge. – Jess",
    "We've sent a replacement by tracked courier today. – Jess",
)
_FOLLOW_UPS = (
    "Still waiting for a reply.",
    "Thanks, all sorted now!",
    "Any update on this?",
    "That's great, thank you.",
    "I emailed twice already.",
    "Arrived today, cheers!",
    "Same thing happened to me.",
    "Not good enough, honestly.",
)
# Titles per sentiment (negative, neutral, positive, spam) for channels whose messages carry one.
_TITLES: tuple[tuple[str, ...], ...] = (
    ("Slow checkout", "Never arrived", "Double charged", "Refund please", "Disappointed", "Cold again"),
    ("Question", "Quick question", "Delivery to Ireland?", "Subscription"),
    ("Great coffee", "Love it", "Brilliant service", "Best beans"),
    ("You have WON!!!", "Limited offer"),
)
_DM_CHANNELS = frozenset({"facebook", "x"})  # public channels that also carry private messages
_SYLLABLES = (
    "ba", "bri", "cor", "dal", "fen", "gro", "hal", "jun", "kep", "lor", "mav", "nor", "pel", "quin", "ros",
    "sta", "tav", "ulm", "vex", "wyn", "zor", "ash", "bel", "cri", "dun", "elm", "fro", "gil",
)  # fmt: skip
_POOL_EN = 8192  # distinct pre-rendered texts per English sentiment
_POOL_OTHER = 512


def _rare_vocabulary() -> tuple[str, ...]:
    """Deterministic pseudo-words (same for every seed) forming the long tail of the vocabulary."""
    words = ["".join(parts) for parts in itertools.product(_SYLLABLES, repeat=3)]
    words += ["".join(parts) for parts in itertools.product(_SYLLABLES, repeat=2)]
    Random(20261120).shuffle(words)  # so a word's rank says nothing about its spelling
    return tuple(words)


def _fill(sentence: str, rng: Random) -> str:
    """Replace the slots of one sentence with product, place, staff and order values."""
    out = sentence
    while "{p}" in out:
        out = out.replace("{p}", rng.choice(PRODUCTS), 1)
    while "{l}" in out:
        out = out.replace("{l}", rng.choice(PLACES), 1)
    while "{s}" in out:
        out = out.replace("{s}", STAFF[int(len(STAFF) ** rng.random()) - 1], 1)  # a few names everywhere
    while "{o}" in out:
        out = out.replace("{o}", f"BB-{rng.randrange(100000, 1000000)}", 1)
    return out


def _text_pools(rng: Random) -> dict[tuple[str, str], tuple[str, ...]]:
    """Pre-render a pool of JSON-escaped texts per (sentiment, language); lines pick from these."""
    pools: dict[tuple[str, str], tuple[str, ...]] = {}
    for (sentiment, lang), sentences in _SENTENCES.items():
        size = _POOL_EN if lang == "en" else _POOL_OTHER
        texts = []
        for _ in range(size):
            count = 1 + int(rng.random() * (3 if lang == "en" else 1.5))
            texts.append(_esc(" ".join(_fill(rng.choice(sentences), rng) for _ in range(count))))
        pools[(sentiment, lang)] = tuple(texts)
    return pools


def _channel_table(names: Sequence[str]) -> tuple[int, ...]:
    """A 1024-slot lookup table that turns a weighted channel choice into one multiply and index."""
    weights = [_CHANNEL_WEIGHT.get(c, 1.0) for c in names]
    total = sum(weights)
    table: list[int] = []
    acc = 0.0
    for index, weight in enumerate(weights):
        acc += weight / total
        while len(table) < round(acc * 1024):
            table.append(index)
    while len(table) < 1024:
        table.append(len(names) - 1)
    return tuple(table)


def _default_kind(channel: str, rated: bool) -> str:
    if rated:
        return "review"
    return {"email": "email", "x": "mention", "webhook": "dm"}.get(channel, "comment")


def iter_lines(
    n: int,
    *,
    seed: int,
    channels: Sequence[str] = DEFAULT_CHANNELS,
    start: datetime = DEFAULT_START,
    rated: Collection[str] = RATED_CHANNELS,
) -> Iterator[str]:
    """Yield ``n`` JSONL lines (each ending in a newline) in the generic import schema."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if not channels:
        raise ValueError("channels must not be empty")
    rng = Random(seed)
    rand = rng.random
    rare = _rare_vocabulary()
    n_rare = len(rare)
    by_key = _text_pools(rng)
    pools = tuple(by_key[(sent, lang)] for sent in ("neg", "neu", "pos") for lang in ("en", "es", "fr", "de"))
    emoji_pos = ("", "", "", " ☕", " 💙", " 😍", " 🔥🔥")
    emoji_neg = ("", "", "", "", " 😡", " 🙄")
    en_first = tuple(_esc(f) for f in FIRST)
    lower_first = tuple(f.lower() for f in en_first)
    n_first = len(en_first)
    surnames = tuple(_esc(x) for x in LAST)
    n_last = len(surnames)
    spam = tuple(_esc(s) for s in _SPAM)
    brand_replies = tuple(_esc(s) for s in _BRAND_REPLIES)
    follow_ups = tuple(_esc(s) for s in _FOLLOW_UPS)
    title_values = tuple(f'"{_esc(title)}"' for group in _TITLES for title in group) + ("null",)
    no_title = len(title_values) - 1
    title_start = tuple(sum(len(g) for g in _TITLES[:k]) for k in range(len(_TITLES)))
    title_count = tuple(len(g) for g in _TITLES)
    re_title = '"Re: your message"'
    followers_table = tuple(str(int(Random(seed + i).lognormvariate(5.0, 1.6))) for i in range(1024))

    public_names = tuple(channels)
    channel_table = _channel_table(public_names)
    # Each X/Facebook channel gets a private twin (same name, kind "dm"); replies inherit the twin.
    twin = [-1] * len(public_names)
    dm_of = [i for i, c in enumerate(public_names) if c in _DM_CHANNELS]
    for offset, i in enumerate(dm_of):
        twin[i] = len(public_names) + offset
    names = public_names + tuple(public_names[i] for i in dm_of)
    ch_rated = tuple(c in rated for c in names)
    ch_kind = tuple(
        "dm" if i >= len(public_names) else _default_kind(c, ch_rated[i]) for i, c in enumerate(names)
    )
    ch_private = tuple(k in ("dm", "email") or c == "webhook" for c, k in zip(names, ch_kind, strict=True))
    ch_titled = tuple(c in _TITLED for c in names)
    ch_x = tuple(c == "x" for c in names)
    # Everything about a channel that does not change per line, pre-joined: '"channel": ..., "rating": '
    ch_head = tuple(f'"channel": "{_esc(c)}", "rating": ' for c in names)
    ch_url = tuple(f'"url": "https://{_esc(c)}.example/m/' for c in names)

    base = int(start.astimezone(UTC).timestamp())
    spread = max(0.0, 2 * YEAR_SECONDS / max(n, 1) - 2)
    t = base
    day_prefix = ""
    day_number = -1

    # Recent conversation starters (quoted id, channel, author): replies thread onto these.
    root_id: list[str] = []
    root_ch: list[int] = []
    root_author: list[int] = []
    n_authors = 0
    url_null = '"url": null'
    quote = '"'
    brand_who = '"author": "Bluebird Coffee", "author_id": "brand", "author_handle": "bluebirdcoffee", "followers": null'

    # Per-line constants, pre-joined so the hot loop formats as few pieces as possible.
    hms = tuple(f'{h:02d}:{m:02d}:{s:02d}Z"' for h in range(24) for m in range(60) for s in range(60))
    langs = ("en", "es", "fr", "de")
    root_tail = tuple(
        tuple(
            tuple(
                f'"language": "{lang}", "kind": "{ch_kind[c]}", "direction": "inbound", '
                f'"public": {"false" if ch_private[c] else "true"}, "title": {title}}}\n'
                for title in title_values
            )
            for lang in langs
        )
        for c in range(len(names))
    )
    reply_tail = tuple(
        (
            f'"language": "en", "kind": "{"comment" if ch_rated[c] else ch_kind[c]}", "direction": "inbound", '
            f'"public": {"false" if ch_private[c] else "true"}, '
            f'"title": {re_title if ch_kind[c] == "email" else "null"}}}\n',
            f'"language": "en", "kind": "reply", "direction": "outbound", '
            f'"public": {"false" if ch_private[c] else "true"}, '
            f'"title": {re_title if ch_kind[c] == "email" else "null"}}}\n',
        )
        for c in range(len(names))
    )

    for i in range(n):
        t += 1 + int(rand() * spread)
        day = t // 86400
        if day != day_number:
            day_number = day
            day_prefix = datetime.fromtimestamp(day * 86400, UTC).strftime('"%Y-%m-%dT')
        rating = "null"
        r = rand()
        if r < 0.4 and root_id:
            depth = len(root_id)
            k = depth - 1 - int(rand() * (depth if depth < _RECENT_ROOTS else _RECENT_ROOTS))
            c = root_ch[k]
            parent = root_id[k]
            if r < 0.14:  # the brand's own reply
                author = -1
                text = brand_replies[int(r * 42.8)]  # r < 0.14 spread over the 6 replies
                tail = reply_tail[c][1]
            else:
                author = root_author[k] if r < 0.32 else int(rand() * n_authors)
                text = follow_ups[int(rand() * 8)]
                tail = reply_tail[c][0]
        else:
            parent = "null"
            c = channel_table[int(rand() * 1024)]
            if twin[c] >= 0 and r * 997 % 1 < 0.1:  # r's low digits: a second uniform draw for free
                c = twin[c]
            if r > 0.85 and n_authors:  # 0.15 of all lines = 25% of new conversations
                author = int(rand() * n_authors)
            else:
                author = n_authors
                n_authors += 1
            s = rand()
            lang_i = 0
            if s >= 0.9:
                sentiment = 3
                text = spam[int((s - 0.9) * 60)]
                if ch_rated[c]:
                    rating = "5" if s < 0.95 else "1"  # the last spam texts are abuse, rated 1
            else:
                lr = rand()
                if lr >= 0.9:
                    lang_i = 1 if lr < 0.96 else 2 if lr < 0.98 else 3
                sentiment = 0 if s < 0.4 else 1 if s < 0.55 else 2
                pool = pools[sentiment * 4 + lang_i]
                text = pool[int(rand() * len(pool))]
                u = rand()
                if u < 0.5:
                    # Zipf-like: rank ~ V**u makes word k about 1/k as frequent as word 1.
                    text = f"{text} {rare[int(n_rare ** (u + u)) - 1]}"
                elif u < 0.58 and s < 0.55:
                    # A per-line order number: a search term that matches about one message.
                    text = f"{text} Order BB-{int(u * 1e11) % 900000 + 100000}."
                if s >= 0.55:
                    text += emoji_pos[int(u * 7)]
                    if ch_rated[c]:
                        rating = "5" if u < 0.7 else "4"
                elif s < 0.4:
                    text += emoji_neg[int(u * 6)]
                    if ch_rated[c]:
                        rating = "1" if u < 0.6 else "2"
                elif ch_rated[c]:
                    rating = "3"
            if ch_titled[c]:
                tail = root_tail[c][lang_i][title_start[sentiment] + int(rand() * title_count[sentiment])]
            else:
                tail = root_tail[c][lang_i][no_title]
            root_id.append(f'"syn-{i}"')
            root_ch.append(c)
            root_author.append(author)
            if len(root_id) > 2 * _RECENT_ROOTS:
                del root_id[:_RECENT_ROOTS], root_ch[:_RECENT_ROOTS], root_author[:_RECENT_ROOTS]

        url = url_null if ch_private[c] else f"{ch_url[c]}{i}{quote}"
        if author < 0:
            yield (
                f'{{"id": "syn-{i}", "text": "{text}", {brand_who}, {ch_head[c]}null, '
                f'"created_at": {day_prefix}{hms[t - day * 86400]}, {url}, "parent_id": {parent}, {tail}'
            )
        else:
            f = author % n_first
            yield (
                f'{{"id": "syn-{i}", "text": "{text}", '
                f'"author": "{en_first[f]} {surnames[(author // n_first + author) % n_last]}", '
                f'"author_id": "u{author}", "author_handle": "{lower_first[f]}{author}", '
                f'"followers": {followers_table[author & 1023] if ch_x[c] else "null"}, {ch_head[c]}{rating}, '
                f'"created_at": {day_prefix}{hms[t - day * 86400]}, {url}, "parent_id": {parent}, {tail}'
            )


def generate(
    n: int,
    *,
    seed: int,
    channels: Sequence[str] = DEFAULT_CHANNELS,
    start: datetime = DEFAULT_START,
    rated: Collection[str] = RATED_CHANNELS,
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` synthetic messages as dicts; the same seed gives the same messages."""
    for line in iter_lines(n, seed=seed, channels=channels, start=start, rated=rated):
        yield json.loads(line)


def _parse_start(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def main(argv: Sequence[str] | None = None) -> int:
    """Write synthetic JSONL to stdout (or --out); with --json, a throughput summary to stderr."""
    parser = argparse.ArgumentParser(prog="python -m bench.synth", description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--start", type=_parse_start, default=DEFAULT_START, help="ISO 8601, UTC if no zone")
    parser.add_argument("--channels", default=",".join(DEFAULT_CHANNELS), help="comma-separated names")
    parser.add_argument("--out", help="file to write instead of stdout")
    parser.add_argument("--json", action="store_true", help="print lines, seconds, lines_per_s to stderr")
    args = parser.parse_args(argv)
    channels = [c.strip() for c in args.channels.split(",") if c.strip()]
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    began, began_cpu = time.perf_counter(), time.process_time()
    lines = iter_lines(args.messages, seed=args.seed, channels=channels, start=args.start)
    try:
        # join() drains the generator in C, 8192 lines per write.
        while chunk := "".join(itertools.islice(lines, 8192)):
            out.write(chunk)
        out.flush()
    finally:
        if out is not sys.stdout:
            out.close()
    seconds = time.perf_counter() - began
    cpu = time.process_time() - began_cpu  # less disturbed than wall time on a shared machine
    if args.json:
        summary = {
            "lines": args.messages,
            "seconds": round(seconds, 3),
            "lines_per_s": round(args.messages / seconds),
            "cpu_seconds": round(cpu, 3),
            "lines_per_cpu_s": round(args.messages / cpu) if cpu else None,
        }
        print(json.dumps(summary), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
