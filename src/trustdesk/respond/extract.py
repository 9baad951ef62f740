"""What a message is specifically about: playbook entities, topics, personal data, questions, triggers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from trustdesk.respond.reading import NEGATIVE, cues_of
from trustdesk.respond.schemas import Playbook
from trustdesk.respond.text import EMAIL, INJECTION, PHONE, URL, contains_phrase, order_numbers, words


def _split(words_: str) -> list[str]:
    return words_.split()


DetailKind = Literal["staff", "product", "location", "unknown_staff", "topic", "version"]

# Nouns a customer comment is usually about; a determiner + one of these is a safe thing to refer to.
DOMAIN_NOUNS_EN = frozenset(
    _split("""
    coffee coffees tea latte lattes cappuccino espresso drink drinks milk cake cakes food meal meals breakfast
    lunch dinner brunch sandwich sandwiches pastry pastries bread croissant bun buns cookie soup salad pizza
    burger burgers fries chicken steak fish sushi pasta dessert desserts menu portion portions taste flavour
    flavor service staff team barista baristas waiter waitress server servers manager cashier chef owner
    wait queue line price prices value bill receipt atmosphere vibe music decor seating seats table tables
    toilet toilets bathroom restroom parking wifi cafe café shop store branch restaurant location
    app update version login password account payment card checkout basket cart order orders delivery
    parcel package courier driver refund subscription membership rewards points voucher discount
    battery screen phone headset headphones charger case sound quality camera keyboard speaker earpiece
    signal reception size fit colour color product item items tent jacket boots rucksack backpack
    website site page search notification notifications email emails support agent chat
    movie film plot acting actors script ending story scenes character characters cast director
    game games server servers channel video videos stream update updates feature features design
    interface layout photo photos price shipping postage returns return exchange warranty guarantee
    beans subscription blend roast cup mug lid straw invoice purchase booking tip tipping mode internet
    connection network
    brownie pizza pasta salad olives noodles tacos burrito curry rice wings ribs
    hotel room rooms suite suites bed beds pillow pillows pool gym spa sauna reception lobby view views
    balcony shower towels housekeeping concierge bar buffet kitchen kitchenette apartment terrace
    recording recordings recorder file files audio transcription brush brushes canvas layers book books
    chapter chapters episode episodes font fonts reader sync backup widget ads subscription premium
    flight flights bag bags luggage baggage seat seats gate crew pilot boarding layover ticket tickets
    reservation lounge upgrade miles
    """)
)
DOMAIN_NOUNS_ES = frozenset(
    _split("""
    café cafés té leche tarta comida desayuno bocadillo pan croissant menú precio precios servicio
    personal equipo camarero camarera encargado espera cola cuenta ambiente música mesa mesas baño
    aplicación app actualización contraseña pago tarjeta pedido pedidos envío entrega paquete
    repartidor reembolso suscripción puntos descuento producto tienda web página atención soporte
    calidad talla tamaño color chaqueta botas mochila granos devolución garantía
    """)
)
_DETS_EN = {"the": "the", "my": "your", "our": "your", "this": "the", "these": "the", "those": "the",
            "their": "the", "your": "the", "a": "the", "an": "the", "no": "the", "any": "the", "some": "the"}  # fmt: skip
_DETS_ES = {"el": "el", "la": "la", "los": "los", "las": "las", "mi": "tu", "mis": "tus", "este": "el",
            "un": "el", "una": "la",
            "esta": "la", "nuestro": "vuestro", "nuestra": "vuestra"}  # fmt: skip
_MODIFIERS = frozenset(
    _split("""
    new old latest last first whole entire iced hot cold fresh mobile online main front new usual daily
    weekly monthly customer home delivery loyalty oat almond chai flat vegan gluten free dairy
    """)
)
_PROFANITY = frozenset(
    _split("fuck fucking fucked shit shitty crap crappy damn bloody bastard bitch ass arse dick piss wtf")
)
_NOT_NOUN_ENDINGS = ("ly", "able", "ible", "ful", "ous", "ive", "less", "ish", "ing", "ed")
_STAFF_WORDS = frozenset(
    _split("barista baristas waiter waitress server servers manager cashier chef staff driver agent camarero")
)
_VERB_BEFORE = frozenset(
    _split(
        "to i you we they he she it it's its that which who this would rather can could will i'd i'll we'd "
        "don't didn't never please"
    )
)
_CONTRAST = re.compile(
    r"\b(but|however|though|although|except|only (?:gripe|issue|problem|complaint|downside)|shame about|"
    r"pity about|apart from|pero|aunque|excepto)\b",
    re.I,
)
_DESCRIPTIVE = frozenset(
    _split("""
    dark light slow fast black white green red blue brown pink iced hot cold small large big tiny
    mobile online vegan loud quiet noisy sticky dirty clean broken cracked wet dry stale soggy burnt
    new old seasonal weekend weekday
""")
)
_EVALUATIVE = frozenset(
    _split("""
    ideal outstanding superb tremendous decent best worst great good bad terrible awful horrible amazing awesome lovely nice fantastic excellent
    brilliant perfect poor dreadful disgusting delicious tasty yummy gorgeous beautiful wonderful fabulous
    superb rubbish crap shocking pathetic ridiculous incredible favourite favorite whole entire same usual
    very really so too quite pretty super absolutely totally most least only other own many much more
    mejor peor buen bueno buena malo mala muy
""")
)
_NOT_HEADS = frozenset(
    _split("""
    is was were are be been being has have had does did do says said keeps kept gets got makes made goes
    went looks looked seems seemed tastes tasted smells feels felt came comes took takes gave gives
    needs wants works worked broke broken stopped started tried uses used can could will would should
    new old big small little large long short hot cold warm fresh first last next one two three
    accept stuck missing wrong right able unable sure sorry happy sad glad ready available open closed
    full empty know think want like love hate need see try help let find tell ask buy
    es fue era está estaba son eran tiene tenía
""")
)
_GENERIC = frozenset(
    _split("""
    experience time times thing things way lot day days bit kind sort type stuff people guys world one
    ones others rest part end side fact reason point case idea question problem issue issues
    year years week weeks month months morning evening night today review reviews star stars
    vez cosa cosas gente día lot lots couple few
""")
)
_RUN_STOP = frozenset(
    _split("""
    and or but with for from to of in on at by as than that which who whom whose when where while if
    because so then is was were are be been am has have had do does did not no it its it's i me you he she
    we they them us him her there here this these those just also even still again too very really
    will would can could should may might must shall won't can't don't didn't doesn't isn't wasn't
    never always ever not only about into over after before without through across around during like
    up out off down per than via
    y o pero con para por de del en a al que como cuando es fue era está estaba muy más
""")
)
_COMPENSATION_WORDS = frozenset(_split("free money compensation gratis dinero"))
_ORDER_NOUNS = frozenset(
    _split("order purchase booking parcel package delivery invoice pedido compra reserva")
)
_ORDER_NOUN = re.compile(
    r"\b(order|purchase|booking|parcel|package|delivery|invoice|pedido|compra|reserva)\b[^.!?\n]{0,20}?\d{4,}",
    re.I,
)
_NOT_NAMES = frozenset(
    _split("""
    The This That These Those It Its He She They We I You My Our Your His Her Their Service Food Staff
    Everything Everyone Nothing Coffee App Delivery Order Price Place Shop Store Team Manager Barista
    Waiter Waitress Server Cashier Driver Customer Support Today Yesterday Monday Tuesday Wednesday
    Thursday Friday Saturday Sunday Great Good Bad Terrible Amazing Lovely Very Really So And But Also
    Just Everybody Somebody Nobody Someone Anyone Google Apple Android Iphone Ios Love Thanks Thank
    Please Hello Hi Hey Dear Sir Madam Mr Mrs Ms Miss Dr Ordered Waited Visited Went Came Got Had
    """)
)
_STAFF_ROLE = r"(?:barista|server|waiter|waitress|cashier|manager|staff member|assistant|agent|rep|driver|chef|guy|girl|lady|gentleman|camarer[oa])"
_UNKNOWN_STAFF = (
    re.compile(_STAFF_ROLE + r"\s*(?:called|named|,|llamad[oa])?\s+([A-Z][a-zà-ÿ]{2,15})\b"),
    re.compile(r"\b([A-Z][a-zà-ÿ]{2,15}),?\s+(?:the|our|my|el|la)\s+" + _STAFF_ROLE),
    re.compile(
        r"\b([A-Z][a-zà-ÿ]{2,15})\s+(?:was|is|were)\s+(?:so |very |really |super |extremely |incredibly )?"
        r"(?:lovely|friendly|rude|helpful|kind|amazing|brilliant|unhelpful|dismissive|wonderful|great|"
        r"attentive|welcoming|patient|polite|impolite)\b"
    ),
)
_QUESTION_START = re.compile(
    r"^(?:how|when|what|where|why|which|who|do|does|did|can|could|is|are|will|would|should|"
    r"tenéis|tienen|puedo)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Detail:
    """One specific thing the message mentions, in the form a reply may repeat publicly."""

    kind: DetailKind
    text: str
    keys: tuple[str, ...]
    """Lower-case words whose presence in a reply shows it refers to this detail."""
    weak: bool = False
    """A noun phrase outside the domain lexicon: used only when nothing stronger is found."""
    contrast: bool = False
    """Named after "but", "only gripe", "however"...: the critical part of a mixed review."""
    tone: str = ""
    """``praise`` or ``complaint`` when the sentence naming it says so (praise is only echoed from praise)."""


@dataclass(slots=True)
class Extraction:
    """Everything the drafter and the checker need to know about the specifics of a message."""

    details: list[Detail] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    order_numbers: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    unknown_staff: list[str] = field(default_factory=list)
    injection: bool = False
    question: bool = False
    faq_ids: list[str] = field(default_factory=list)
    triggers: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    """Kinds of problem the message names (``double_charge``, ``not_arrived``, ``crash``...), first first."""

    @property
    def personal_data(self) -> list[str]:
        """Every piece of personal data found (never to be repeated in a public reply)."""
        return [*self.emails, *self.phones, *self.order_numbers]


@lru_cache(maxsize=64)
def _order_regex(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern else None


def _entities(text: str, pb: Playbook, language: str) -> list[Detail]:
    found: list[Detail] = []
    for staff in pb.facts.staff:
        # Names are matched case-sensitively: "tom" in lower case is rarely the barista.
        if re.search(rf"(?<!\w){re.escape(staff.name)}(?!\w)", text):
            found.append(Detail("staff", staff.name, (staff.name.lower(),)))
    for loc in pb.facts.locations:
        names = sorted([loc.name, *loc.aliases], key=len, reverse=True)
        if any(contains_phrase(text, n) for n in names):
            keys = tuple(dict.fromkeys(w for n in names for w in words(n) if len(w) > 3))
            # Say the city too when the customer named it: "Bluebird Riverside in Bristol".
            city = loc.city and contains_phrase(text, loc.city) and loc.city.lower() not in loc.name.lower()
            joiner = " en " if language == "es" else " in "
            found.append(Detail("location", f"{loc.name}{joiner}{loc.city}" if city else loc.name, keys))
    for product in pb.facts.products:
        names = sorted([product.name, *product.aliases], key=len, reverse=True)
        if any(contains_phrase(text, n) for n in names):
            keys = tuple(dict.fromkeys(w for n in names for w in words(n) if len(w) > 2))
            found.append(Detail("product", product.name, keys))
    return found


def _clean_sentences(text: str) -> str:
    """Drop sentences that try to instruct the drafter, so nothing of them is ever echoed."""
    parts = re.split(r"(?<=[.!?\n])\s+", text)
    return " ".join(p for p in parts if not INJECTION.search(p))


_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*|[.,!?;:()\"\[\]/&#@–—-]", re.U)


def _is_noun(word: str, nouns: frozenset[str]) -> bool:
    return word in nouns or (len(word) > 3 and word.endswith("s") and word[:-1] in nouns)


def _topic_text(
    det: str, run: list[tuple[str, str]], nouns: frozenset[str], dets: dict[str, str]
) -> tuple[str, str] | None:
    """(phrase, head word) for a determiner and the (lower, as-written) words after it; None without a noun.

    The words after the determiner are kept as the customer wrote them and contiguous, so the phrase is
    a real span of the message (only leading evaluative words are dropped: "the lovely pool" -> "the pool").
    """
    first = next((i for i, (w, _) in enumerate(run) if _is_noun(w, nouns)), None)
    if first is None:
        return None  # an out-of-lexicon phrase ("my face") is too easy to garble: reference nothing
    last = first
    while last + 1 < len(run) and _is_noun(run[last + 1][0], nouns) and not run[last][0].endswith("s"):
        last += 1  # compounds: "oat milk", "delivery driver" (not "clean rooms meals": a plural ends one)
    kept = run[: last + 1]
    while kept and kept[0][0] in _EVALUATIVE:
        kept = kept[1:]
    if first - (len(run[: last + 1]) - len(kept)) > 1:
        return None  # "the ground BAD SERVICE", "a bit warn bathroom": too far from a clean noun phrase
    if any(o.isupper() and len(o) > 4 for _, o in kept):
        return None  # shouted words are not echoed; short capitals (EWR, JBSA) are names and kept
    lows = {w for w, _ in kept}
    if not kept or _PROFANITY & lows or _COMPENSATION_WORDS & lows:
        return None
    shown = [o for _, o in kept]
    return " ".join([dets[det], *shown]), kept[-1][0]


def _topics(text: str, language: str) -> list[Detail]:
    """Noun phrases the customer wrote around the domain's nouns, in the customer's own casing."""
    toks = _TOKEN.findall(text)
    low = [t.lower() for t in toks]
    dets, nouns = (_DETS_ES, DOMAIN_NOUNS_ES) if language == "es" else (_DETS_EN, DOMAIN_NOUNS_EN)
    domain: list[Detail] = []
    seen: set[str] = set()
    for i, tok in enumerate(low):
        if tok not in dets:
            continue
        run: list[tuple[str, str]] = []
        for j in range(i + 1, min(i + 4, len(low))):
            nxt = low[j]
            if nxt in _RUN_STOP or nxt in dets or not nxt[0].isalnum() or nxt.isdigit():
                break
            run.append((nxt, toks[j]))
        found = _topic_text(tok, run, nouns, dets)
        if found and found[1] not in seen:
            seen.update(
                w.lower() for w in found[0].split()[1:]
            )  # "the checkout page" covers a later "checkout"
            domain.append(Detail("topic", found[0], (found[1],)))
    article = "el" if language == "es" else "the"
    for i, tok in enumerate(low):
        verb_context = i > 0 and low[i - 1] in _VERB_BEFORE  # "I'd rather drink", "to order"
        if (
            _is_noun(tok, nouns)
            and not verb_context
            and tok not in seen
            and tok not in _MODIFIERS
            and tok not in _COMPENSATION_WORDS
        ):
            seen.add(tok)
            prev = low[i - 1] if i else ""
            # Lower-case only what the customer capitalised for the sentence start or for shouting.
            starts = i == 0 or toks[i - 1] in {".", "!", "?", ":", ";", '"'}
            if toks[i].isupper() and len(toks[i]) > 4:
                continue  # shouting
            word = toks[i].lower() if starts and not toks[i].isupper() else toks[i]
            # Keep one describing word before a bare noun ("dark mode", "slow checkout").
            keep = prev in _DESCRIPTIVE or (prev in _MODIFIERS and prev not in nouns)
            shown_prev = toks[i - 1]
            phrase = f"{article} {shown_prev} {word}" if keep and language != "es" else f"{article} {word}"
            domain.append(Detail("topic", phrase, (tok,)))
    return domain[:4]


_VERSION = re.compile(r"\b(?:version|ver\.?|v)\s?(\d+(?:\.\d+){1,3})\b|\b(\d+\.\d+\.\d+)\b", re.I)
_CLAUSE = re.compile(
    r"[.!?\n;]+|\b(?:but|however|although|though|except|apart from|shame about|pity about|only gripe|pero|"
    r"aunque)\b",
    re.I,
)


def _with_tone(d: Detail, text: str) -> Detail:
    """The detail, marked with the feeling of the sentence it first appears in."""
    for sentence in _CLAUSE.split(text):
        if any(contains_phrase(sentence, k) for k in d.keys):
            cues = cues_of(sentence)
            tone = "complaint" if cues & NEGATIVE else "praise" if "praise" in cues else ""
            return Detail(d.kind, d.text, d.keys, d.weak, d.contrast, tone)
    return d


# Kinds of problem, in order of how specific they are; the drafter names them in its own approved words.
PROBLEMS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rx, re.I))
    for kind, rx in (
        (
            "double_charge",
            r"\b(charged (?:me )?(?:twice|two times|double)|double[- ]charg\w*|went through twice|paid twice|"
            r"duplicate "
            r"(?:charge|payment)|charged (?:me )?again|overcharg\w*|taken twice)\b",
        ),
        (
            "cancel",
            r"\b(can'?t cancel|cannot cancel|unable to cancel|trying to cancel|tried to cancel|"
            r"cancel(?:lation)? (?:link|button|page)|impossible to cancel|still (?:being )?charged)\b",
        ),
        (
            "not_arrived",
            r"\b(never (?:arrived|came|turned up|received)|nothing (?:arrived|came|has arrived)|"
            r"(?:hasn'?t|has not|didn'?t|did not|haven'?t|have not) (?:arrived|come|turned up|been "
            r"delivered|received)|not (?:arrived|received|delivered)|marked (?:as )?'?delivered|"
            r"where is my (?:order|parcel|package|delivery))\b",
        ),
        (
            "lost_bag",
            r"\b(lost (?:my |our )?(?:bag|bags|luggage|suitcase)|(?:bag|bags|luggage|suitcase) "
            r"(?:is |was |are |were )?(?:lost|missing|delayed|didn'?t arrive))\b",
        ),
        (
            "flight",
            r"\b(flight (?:was |is |got )?(?:cancel\w*|delayed)|cancel+ed flight\w*|delayed flight|"
            r"missed (?:my |our )?connection)\b",
        ),
        ("hacked", r"\b(hacked|compromised|someone (?:logged|got) into)\b"),
        (
            "order_missing",
            r"\b((?:ate|eaten|lost|swallowed) my order|paid,? (?:but )?no order|order (?:never|didn'?t) "
            r"(?:came|come|arrive|appear|go through)|order (?:disappeared|vanished|went missing))\b",
        ),
        ("suspended", r"\b(terminated|suspended|banned|disabled|deactivated|shadow ?banned)\b"),
        ("pay_again", r"\b(pay (?:again|twice|now)|repay|re-?buy|buy it again|charged again for)\b"),
        (
            "login",
            r"\b(can'?t (?:log|sign) ?in|cannot (?:log|sign) ?in|unable to (?:log|sign) ?in|locked out|"
            r"login (?:error|problem|issue)|(?:signs|logs|kicks|kicked|signed|logged) me out|"
            r"won'?t let me (?:log|sign) ?in|password reset|have to (?:log|sign) ?in (?:each|every))\b",
        ),
        (
            "lost_data",
            r"\b((?:lost|deleted|disappeared|erased|wiped)\b[^.!?]{0,30}\b(?:photos?|files?|"
            r"recordings?|data|progress|notes|books?|library|saves?|brushes|pictures|videos?)|"
            r"(?:photos?|files?|recordings?|data|progress|notes|books?|library|saves?|brushes|"
            r"pictures|videos?) (?:are |were |have been |got |all )?(?:gone|lost|deleted|"
            r"disappeared|erased|wiped|reset))\b",
        ),
        (
            "crash",
            r"\b(crash\w*|force clos\w*|keeps? closing|shuts? down|freezes|freezing up|keeps freezing|froze|"
            r"not responding)\b",
        ),
        (
            "no_reply",
            r"\b((?:no|zero|0) (?:reply|replies|response|answer)|unanswered|ignor(?:ed|ing) (?:me|my)|"
            r"still (?:silence|no reply|nothing)|heard nothing)\b",
        ),
        ("ads", r"\b(too many ads|ads (?:every|after|pop|are|keep)|full of ads|so many ads|intrusive ads)\b"),
        (
            "error",
            r"\b(error (?:message|code)?|won'?t (?:load|open|work|start|play|sync|save|download|update)|"
            r"doesn'?t (?:load|open|work|sync|save)|not (?:working|loading|syncing|saving)|stopped "
            r"working|bug|glitch\w*|can'?t (?:seem to )?(?:download|install|open|load|find|change|save)|"
            r"not (?:showing|appearing|getting|receiving)|aren'?t (?:showing|appearing)|does not allow|"
            r"doesn'?t let|won'?t let)\b",
        ),
        ("rude", r"\b(rude\w*|impolite|dismissive|unfriendly|unhelpful (?:staff|barista|agent|manager))\b"),
        (
            "dirty",
            r"\b(dirty|filthy|stain\w*|smell\w*|mou?ld\w*|hair in|not clean(?:ed)?|bugs in|cockroach\w*)\b",
        ),
        ("noise", r"\b(noisy|noise|loud music|couldn'?t sleep|thin walls)\b"),
        ("cold", r"\b(?:was|were|arrived|came|served)\s+(?:stone[- ])?(cold|lukewarm)\b"),
        ("late", r"\b(late|delay\w*|took (?:forever|ages|\w+ (?:hours|weeks|days)))\b"),
        ("slow", r"\b(slow|lag\w*|takes? (?:forever|ages))\b"),
        ("price", r"\b(overpriced|too expensive|expensive|price (?:rise|increase|hike)|rip[- ]?off)\b"),
    )
)


def problems_of(text: str) -> list[str]:
    """The kinds of problem a text names (see ``PROBLEMS``), most specific first."""
    scrubbed = re.sub(
        r"\b(?:no|not a|never (?:had|have) (?:a|any)) (?:problems?|issues?)\b", " ", text, flags=re.I
    )
    found = [kind for kind, rx in PROBLEMS if rx.search(scrubbed)]
    if "price" in found and re.search(
        r"\b(worth it|worth every|good value|great value|value for money)\b", text, re.I
    ):
        found.remove("price")  # "pricey but worth it" is praise
    return found


def extract(text: str, playbook: Playbook, *, language: str = "en") -> Extraction:
    """Find the specifics of an already-cleaned message (see ``text.clean``)."""
    ex = Extraction()
    ex.injection = INJECTION.search(text) is not None
    safe = _clean_sentences(text) if ex.injection else text
    ex.emails = EMAIL.findall(text)
    order_re = _order_regex(playbook.facts.order_pattern)
    orders = order_re.findall(text) if order_re else []
    ex.order_numbers = list(dict.fromkeys([*orders, *order_numbers(text)]))
    no_orders = safe
    for o in ex.order_numbers:
        no_orders = no_orders.replace(o, " ")
    ex.phones = [p for p in PHONE.findall(EMAIL.sub(" ", no_orders)) if sum(c.isdigit() for c in p) >= 9]
    ex.urls = URL.findall(text)
    scrubbed = re.sub(r"[#@]\w+", " ", URL.sub(" ", EMAIL.sub(" ", no_orders)))  # hashtags and handles too
    details = _entities(scrubbed, playbook, language)
    known = {s.name for s in playbook.facts.staff}
    taken = {w for d in details for w in d.keys}
    known_words = taken | {w.lower() for w in known}
    for rx in _UNKNOWN_STAFF:
        for name in rx.findall(scrubbed):
            plausible = name not in known and name not in _NOT_NAMES and name not in ex.unknown_staff
            if plausible and name.lower() not in known_words | DOMAIN_NOUNS_EN:
                ex.unknown_staff.append(name)
    if ex.unknown_staff:
        details.append(Detail("unknown_staff", "the team member you mentioned", ("team member",)))
        taken |= _STAFF_WORDS  # "we'll look into the barista" would point at the person we do not name
    if language in {"en", "es"}:
        for t in _topics(scrubbed, language):
            if set(t.keys) & taken:
                continue
            # "the canal street wifi" -> "the wifi": the café is already a detail of its own.
            head, *rest = t.text.split()
            kept = list(rest)
            while len(kept) > 1 and kept[0].lower() in taken:
                kept = kept[1:]  # from the front only, so the words stay a span of the message
            details.append(Detail(t.kind, " ".join([head, *kept]), t.keys, t.weak) if kept != rest else t)
    if (
        ex.order_numbers
        and _ORDER_NOUN.search(text)
        and not any(d.keys[0] in _ORDER_NOUNS for d in details if d.kind == "topic")
    ):
        # The number itself is personal data; the thing it identifies is a safe, specific detail.
        m = _ORDER_NOUN.search(text)
        noun = m.group(1).lower() if m else ("pedido" if language == "es" else "order")
        det = "tu" if language == "es" else "your"
        details.insert(
            len([d for d in details if d.kind != "topic"]), Detail("topic", f"{det} {noun}", (noun,))
        )
    cut = _CONTRAST.search(scrubbed)
    if cut:
        after = set(words(scrubbed[cut.end() :]))
        before = set(words(scrubbed[: cut.start()]))
        details = [
            Detail(d.kind, d.text, d.keys, d.weak, True)
            if set(d.keys) & after and not set(d.keys) & before
            else d
            for d in details
        ]
    for m in _VERSION.finditer(scrubbed):
        details = [d for d in details if d.keys != ("version",)]
        details.append(Detail("version", m.group(0), (m.group(1) or m.group(2),)))
        break
    ex.details = [_with_tone(d, scrubbed) for d in details]
    ex.problems = problems_of(scrubbed)
    lowered = safe.lower()
    ex.question = "?" in safe or "¿" in safe or _QUESTION_START.match(safe.strip()) is not None
    best = 0
    for faq in playbook.facts.faq:
        hits = sum(contains_phrase(lowered, k) for k in faq.keywords)
        if hits > best:
            best, ex.faq_ids = hits, [faq.id]
    for situation, phrases in playbook.escalation_triggers.items():
        for phrase in phrases:
            if contains_phrase(lowered, phrase):
                ex.triggers[situation] = phrase
                break
    return ex
