"""Rule-based signals that beat a model on their own ground: links, shouting, repetition, promotions.

Every function is pure and works on the raw text (rules need the capitals and links the models lose).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_REPEAT_CHAR_RE = re.compile(r"(.)\1{4,}")
_EXCLAIM_RE = re.compile(r"[!?]{3,}")
_SHORTENER_RE = re.compile(
    r"\b(?:bit\.ly|tinyurl\.com|t\.co|goo\.gl|ow\.ly|is\.gd|cutt\.ly|shorturl\.at)/", re.I
)
_SPAM_PHRASES_RE = re.compile(
    r"\b(?:giveaway|give away|free (?:followers|likes|iphone|gift ?card|money|crypto)|click (?:here|the link|my)|"
    r"check (?:out )?my (?:profile|page|channel|bio|link)|follow (?:me|back|for follow)|f4f|l4l|dm me for|"
    r"promo ?code|discount code|use (?:my )?code|earn \$?\d+|make money|work from home|investment opportunity|"
    r"crypto|bitcoin|btc|forex|nft|onlyfans|casino|betting tips|100% free|limited offer|act now|"
    r"winner|you (?:have )?won|claim your|subscribe to my|visit my (?:site|website|store)|whatsapp \+?\d|"
    r"(?:buy|cheap|get) (?:cheap |real |more )?(?:followers|likes|views)|profit guaranteed|guaranteed profit|"
    r"\d+% profit|signals group|join (?:now|my|our) (?:group|channel|telegram))",
    re.I,
)
_SWEEPING_RE = re.compile(
    r"\b(?:worst\b.{0,30}\b(?:ever|in the world|on earth|of all time)|never again|never ever|"
    r"always (?:the )?(?:same|late|wrong|rude)|every single (?:time|one)|all of you|everyone (?:there|here) is|"
    r"total(?:ly)? (?:scam|joke|disgrace)|complete(?:ly)? (?:scam|joke|disgrace|useless)|"
    r"absolute(?:ly)? (?:disgrace|joke|scam|useless|disgusting|pathetic)|scammers?|thie(?:f|ves)|"
    r"criminals|(?:is|it's|that's) criminal|"  # not "the criminal enterprise pack" (a game's DLC)
    r"should be (?:shut down|closed|ashamed|sued)|boycott|zero stars?|0 stars?|minus stars?)",
    re.I,
)
_THREAT_RE = re.compile(
    r"\b(?:i(?:'ll| will| am going to|'m going to|m gonna| gonna) (?:kill|hurt|burn|smash|find|destroy|"
    r"beat|punch|stab|shoot)|(?:kill|burn|smash|shoot|stab) (?:you|your|the staff|the lot)|"
    r"you(?:'ll| will) (?:regret|pay for)|watch your back|burn (?:it|the place|your \w+) down|"
    r"wait (?:till|until) i (?:find|see|get)|hope you (?:die|rot|get cancer))",
    re.I,
)
# short on purpose: obvious insults and slurs aimed at people; the model covers the long tail
_INSULT_RE = re.compile(
    r"\b(?:idiots?|morons?|imbeciles?|retards?|retarded|cunts?|twats?|wankers?|bastards?|bitch(?:es)?|"
    r"dickheads?|assholes?|arseholes?|scumbags?|scum|faggots?|fags?|n[i1]gg(?:er|a)s?|sluts?|whores?|"
    r"tossers?|pricks?|losers?|clowns|numpties|useless (?:idiots?|bunch|morons?|staff)|jerks?|liars?|crooks|"
    r"thieves|(?:rot|burn) in hell|go to hell|drop dead|(?:fuck|screw) (?:you|u|off))\b",
    re.I,
)
# "I felt like an idiot", "made me look a clown": the insult is the writer's own, aimed at nobody else
_SELF_INSULT_RE = re.compile(
    r"\b(?:i(?:'m| am| was| feel| felt| look(?:ed)?)|me|myself)\b[^.!?\n]{0,40}?"
    r"\b(?:idiot|moron|loser|clown|jerk)s?\b",
    re.I,
)
# an attack spoken to someone ("you lot are ...", "you're ...", "you absolute ...", "u r ...") or named at
# a person ("stupid woman")
_ADDRESSED_RE = re.compile(
    r"\b(?:you(?:'re| are| r|re)|u r|ur (?:an?|so|such|fuck\w*|stupid|fake|useless|pathetic)|"
    r"you (?:lot|guys|people|all|lads|two)(?: are| r|'re)|"
    r"(?:stupid|ugly|fat|dumb|disgusting) (?:wom[ae]n|m[ae]n|girls?|guys?|lady|ladies|bloke|cow|people|staff)|"
    r"you (?:useless|pathetic|incompetent|stupid|absolute|total|complete|bloody|fucking|effing|bunch)|"
    r"shame on you)\b",
    re.I,
)
_URGENT_RE = re.compile(
    r"\b(?:urgent(?:ly)?|asap|immediately|right now|emergency|today|tonight|still (?:waiting|no|not|haven't)|"
    r"no (?:reply|response|answer)|days? (?:ago|later|now)|weeks? (?:ago|later|now)|charged twice|"
    r"double charged|overcharged|fraud|stolen|hacked|locked out|can'?t (?:log ?in|access|sign in|pay|order)|"
    r"cancel(?:led)? my|refund now|deadline|lawyer|solicitor|legal action|trading standards|court)\b",
    re.I,
)
_SAFETY_RE = re.compile(
    r"\b(?:allerg(?:y|ic|ies|en)|anaphyla\w*|epipen|food poisoning|poison(?:ed|ing)?|sick after|"
    r"threw up|vomit\w*|diarrh\w*|hospital|a&e|ambulance|injur\w*|burn(?:ed|t) (?:my|me|her|his)|scald\w*|"
    r"glass in|metal in|plastic in|hair in|found a (?:bug|insect|cockroach|fly|hair)|cockroach|rats?|mice|"
    r"mouse droppings|mould|moldy|mouldy|raw chicken|undercooked|choked|choking|slipped|fell over|"
    r"nut[- ]free and|coeliac|celiac|unsafe|dangerous|hygiene|(?:a|the) mouse|(?:saw|spotted|found) (?:a|some) \w+ in)\b",
    re.I,
)

_QUESTION_START_RE = re.compile(
    r"^(?:do|does|did|is|are|was|were|can|could|will|would|what|when|where|which|who|how|why|have|has)\b",
    re.I,
)
_SUGGESTION_RE = re.compile(
    r"\b(?:would (?:be|love it) (?:great|nice|good|handy|lovely|amazing)? ?if|would love (?:it if|to see)|"
    r"any chance (?:of|you)|please consider|you should (?:add|do|offer|open|have|bring|make)|"
    r"could you (?:add|make|bring|offer|open|do)|why not (?:add|bring|offer|have|do)|"
    r"it'?d be (?:handy|nice|great|good|lovely)|might be worth|worth adding|i wish you|suggestion|"
    r"have you (?:thought about|considered)|consider (?:adding|offering|opening)|idea:)",
    re.I,
)


_SARCASM_RE = re.compile(
    r"[\U0001F643\U0001F644\U0001F612]|thanks? for nothing|cheers for nothing|love that for me|yeah,? right|"
    r"\b(?:oh|just|how|so|really) (?:great|brilliant|fantastic|wonderful|perfect|lovely|amazing)\b|"
    r"\bwhat (?:a|an) (?:great|brilliant|fantastic|wonderful|lovely) (?:way|start|surprise)|"
    r"\b(?:great|brilliant|fantastic|wonderful|perfect|love it|amazing)\b.{0,40}"
    r"\b(?:another|again|outage|delay(?:ed)?|late|cancel(?:led|ed)|broken|crash(?:ed|es|ing)?|down again|"
    r"still waiting|no reply|lost)\b",
    re.I,
)


# Substrings at least one of which every match of the pattern contains: a cheap ``in`` test skips
# the slow regex on the (many) texts that cannot match. tests/understand/test_rules.py checks this.
_TRIGGERS: dict[re.Pattern[str], tuple[str, ...]] = {
    _SPAM_PHRASES_RE: (
        "give", "free", "click", "check my", "check out my", "follow", "f4f", "l4l", "dm me", "code", "earn",
        "money", "work from", "investment", "crypto", "bitcoin", "btc", "forex", "nft", "onlyfans", "casino",
        "betting", "limited", "act now", "winner", "you won", "you have won", "claim", "subscribe", "visit my",
        "whatsapp", "likes", "views", "profit", "signals", "join now", "join my", "join our",
    ),
    _SWEEPING_RE: (
        "worst", "never again", "never ever", "always", "every single", "all of you", "everyone there",
        "everyone here", "total", "complete", "absolute", "scam", "thie", "criminal", "should be", "boycott",
        "zero star", "0 star", "minus star",
    ),
    _THREAT_RE: (
        "kill", "hurt", "burn", "smash", "find", "destroy", "beat", "punch", "stab", "shoot", "regret", "pay for",
        "watch your", "wait till", "wait until", "hope you",
    ),
    _INSULT_RE: (
        "idiot", "moron", "imbecile", "retard", "cunt", "twat", "wanker", "bastard", "bitch", "dickhead",
        "asshole", "arsehole", "scum", "fag", "nigg", "ni1g", "n1gg", "slut", "whore", "tosser", "prick",
        "loser", "clowns", "numpties", "useless", "jerk", "liar", "crooks", "thieves", "hell", "drop dead",
        "fuck", "screw",
    ),
    _URGENT_RE: (
        "urgent", "asap", "immediately", "right now", "emergency", "today", "tonight", "still waiting",
        "still no", "still haven't", "no reply", "no response", "no answer", "day ago", "days ago", "day later",
        "days later", "day now", "days now", "week ago", "weeks ago", "week later", "weeks later", "week now",
        "weeks now", "charged", "fraud", "stolen", "hacked", "locked out", "can't", "cant", "cancel",
        "refund now", "deadline", "lawyer", "solicitor", "legal action", "trading standards", "court",
    ),
    _SAFETY_RE: (
        "allerg", "anaphyla", "epipen", "poison", "sick after", "threw up", "vomit", "diarrh", "hospital",
        "a&e", "ambulance", "injur", "burn", "scald", "glass in", "metal in", "plastic in", "hair in",
        "found a", "cockroach", "rat", "mice", "mouse", "mould", "mold", "raw chicken", "undercooked",
        "chok", "slipped", "fell over", "nut", "coeliac", "celiac", "unsafe", "dangerous", "hygiene", "saw",
        "spotted", "found",
    ),
    _SARCASM_RE: (
        "\U0001F643", "\U0001F644", "\U0001F612", "for nothing", "love that for me", "yeah", "great", "brilliant",
        "fantastic", "wonderful", "perfect", "lovely", "amazing", "love it",
    ),
    _SUGGESTION_RE: (
        "would", "any chance", "consider", "you should", "could you", "why not", "d be", "worth", "i wish you",
        "suggestion", "have you", "idea:",
    ),
}  # fmt: skip


def _findall(pattern: re.Pattern[str], text: str, low: str) -> list[str]:
    """``pattern.findall(text)``, skipped when no trigger substring occurs in the lower-cased text."""
    if not any(map(low.__contains__, _TRIGGERS[pattern])):
        return []
    return pattern.findall(text)


# The same trigger test, cheaper for a batch. A trigger without spaces occurs in a text exactly when it
# occurs inside one of the text's whitespace-separated tokens, so it is looked up once per distinct token
# (cached: tokens repeat). A trigger with spaces can only occur when its longest word occurs inside a
# token too: that word is a "gate" looked up the same way, and only phrases whose gate is open are
# searched for in the text.
_SIGNAL_PATTERNS = (_SPAM_PHRASES_RE, _SWEEPING_RE, _THREAT_RE, _INSULT_RE, _URGENT_RE, _SAFETY_RE)
_BITS: dict[re.Pattern[str], int] = {p: 1 << k for k, p in enumerate(_SIGNAL_PATTERNS)}
_TOKEN_TRIGGERS: list[tuple[str, int]] = [
    (t, _BITS[p]) for p in _SIGNAL_PATTERNS for t in _TRIGGERS[p] if t.split() == [t]
]
_GATED_PHRASES: dict[str, list[tuple[str, int]]] = {}
for _p in _SIGNAL_PATTERNS:
    for _t in _TRIGGERS[_p]:
        if _t.split() != [_t]:
            _GATED_PHRASES.setdefault(max(_t.split(), key=len), []).append((_t, _BITS[_p]))
_GATE_SHIFT = len(_SIGNAL_PATTERNS)
_PHRASES_BY_GATE: list[list[tuple[str, int]]] = list(_GATED_PHRASES.values())
_TOKEN_TRIGGERS += [(gate, 1 << (_GATE_SHIFT + k)) for k, gate in enumerate(_GATED_PHRASES)]
_MASK_CACHE_MAX = 200_000
_token_masks: dict[str, int] = {}


def _token_mask(token: str) -> int:
    mask = 0
    for t, bit in _TOKEN_TRIGGERS:
        if t in token:
            mask |= bit
    if len(_token_masks) >= _MASK_CACHE_MAX:
        _token_masks.clear()
    _token_masks[token] = mask
    return mask


def _triggered(low: str, tokens: list[str]) -> int:
    """Bit set of the patterns (``_BITS``) with a trigger in ``low`` (``any(t in low ...)`` per pattern);
    ``tokens`` is ``low.split()``."""
    get = _token_masks.get
    mask = 0
    for w in tokens:
        m = get(w)
        mask |= _token_mask(w) if m is None else m
    gates = mask >> _GATE_SHIFT
    while gates:
        gate = gates & -gates  # the lowest open gate
        for t, bit in _PHRASES_BY_GATE[gate.bit_length() - 1]:
            if not mask & bit and t in low:
                mask |= bit
        gates ^= gate
    return mask


# A second set of substrings every match also contains: the sarcasm cues are mostly praise words, common
# in plain praise, and only count next to an intensifier ("so great") or a failure ("great, lost again").
_ALSO: dict[re.Pattern[str], tuple[str, ...]] = {
    _SARCASM_RE: (
        "\U0001F643", "\U0001F644", "\U0001F612", "for nothing", "love that for me", "yeah", "what a", "oh ",
        "just ", "how ", "so ", "really ", "another", "again", "outage", "delay", "late", "cancel", "broken",
        "crash", "still waiting", "no reply", "lost",
    ),
}  # fmt: skip


def _aimed_insult(text: str) -> bool:
    """An insult or slur aimed at someone other than the writer ("I felt like an idiot" is not one)."""
    if _INSULT_RE.search(text) is None:
        return False
    return _INSULT_RE.search(_SELF_INSULT_RE.sub(" ", text)) is not None


def addressed(text: str) -> bool:
    """The message speaks to someone ("you lot are", "you're", "you absolute") or names a person with an
    insult ("stupid woman"): what turns a model's "offensive" into an attack on a person, rather than harsh
    words about a product ("the food sucks")."""
    return _ADDRESSED_RE.search(text[:5000]) is not None


def _search(pattern: re.Pattern[str], text: str) -> bool:
    """``pattern.search(text)``, skipped when the lower-cased text lacks the trigger substrings."""
    low = text.lower()
    if not any(map(low.__contains__, _TRIGGERS[pattern])):
        return False
    also = _ALSO.get(pattern)
    if also is not None and not any(map(low.__contains__, also)):
        return False
    return pattern.search(text) is not None


def sarcasm(text: str) -> bool:
    """Cues of sarcasm: praise words next to a failure, or the eye-roll emoji family."""
    return _search(_SARCASM_RE, text[:5000])


def is_question(text: str) -> bool:
    """A question by its shape: ends with a question mark or starts with an interrogative."""
    t = text.strip()
    return t.endswith("?") or bool(_QUESTION_START_RE.match(t))


def is_suggestion(text: str) -> bool:
    """Phrasings customers use for ideas and requests for change."""
    return _search(_SUGGESTION_RE, text[:5000])


@dataclass(frozen=True, slots=True)
class RuleSignals:
    """What the rules saw in one raw text."""

    caps_ratio: float
    repetition: float
    exclaim_runs: int
    sweeping: bool
    threat: bool
    insult: bool
    spam_score: float
    urgent_hits: int
    safety: bool
    links: int


_ASCII_UPPER = bytes(range(65, 91))
_ASCII_LETTERS = _ASCII_UPPER + bytes(range(97, 123))


def caps_ratio(text: str) -> float:
    """Share of upper-case letters among letters, 0 when there are fewer than 8 letters."""
    head = text[:5000]
    if head.isascii():
        # the same counts as str.isupper/isalpha (on ASCII they are A-Z and a-zA-Z), at C speed
        b = head.encode("ascii")
        upper = len(b) - len(b.translate(None, _ASCII_UPPER))
        if upper < 4:
            return 0.0
        letters = len(b) - len(b.translate(None, _ASCII_LETTERS))
        return upper / letters if letters >= 8 else 0.0
    upper = sum(map(str.isupper, head))
    if upper < 4:
        return 0.0  # fast path: a handful of capitals is never shouting
    letters = sum(map(str.isalpha, head))
    return upper / letters if letters >= 8 else 0.0


def repetition(text: str, *, stretched: bool | None = None, words: list[str] | None = None) -> float:
    """How repetitive a text is in [0, 1]: stretched characters and the same word over and over.

    A caller that has them passes ``stretched`` (``_REPEAT_CHAR_RE`` found in ``text[:5000]``, see
    ``_stretched``) and ``words`` (``text[:5000].lower().split()``).
    """
    head = text[:5000]
    if stretched is None:
        stretched = bool(_REPEAT_CHAR_RE.search(head))
    score = 0.5 if stretched else 0.0
    words = head.lower().split() if words is None else words
    # a word four times means at least three repeats: most texts have fewer and skip the Counter
    if len(words) >= 6 and len(words) - len(set(words)) >= 3:
        top = Counter(w for w in words if len(w) > 2).most_common(1)
        if top:
            share = top[0][1] / len(words)
            score = max(score, min(1.0, (share - 0.15) * 3)) if top[0][1] >= 4 else score
    return max(0.0, score)


def _stretched(heads: Sequence[str]) -> list[bool]:
    """``bool(_REPEAT_CHAR_RE.search(h))`` for every text, with numpy over the whole batch.

    The pattern is one character (not a newline) five times or more; the texts are joined with
    newlines, so no run crosses from one text into the next.
    """
    joined = "\n".join(heads)
    a = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    out = [False] * len(heads)
    if len(a) < 5:
        return [bool(_REPEAT_CHAR_RE.search(h)) for h in heads]
    same = a[1:] == a[:-1]
    run = same[:-3] & same[1:-2] & same[2:-1] & same[3:] & (a[:-4] != 10)
    starts = np.cumsum([0] + [len(h) + 1 for h in heads[:-1]])
    for doc in np.unique(np.searchsorted(starts, np.flatnonzero(run), side="right") - 1).tolist():
        out[doc] = True
    return out


def _spam_score(phrases: int, urls: list[str]) -> float:
    score = min(0.6, 0.35 * phrases)
    if urls:
        score += 0.25 + 0.1 * min(3, len(urls) - 1)
        if any(_SHORTENER_RE.search(u) for u in urls):
            score += 0.15
    if phrases and urls:
        score += 0.2
    return min(1.0, score)


def spam_score(text: str, urls: list[str]) -> float:
    """Evidence in [0, 1] that a text is a promotion, a giveaway or link bait rather than a customer."""
    head = text[:5000]
    return _spam_score(len(_findall(_SPAM_PHRASES_RE, head, head.lower())), urls)


def signals(raw: str, urls: list[str]) -> RuleSignals:
    """All rule signals for one raw text."""
    return signals_batch([raw], [urls])[0]


def signals_batch(raws: Sequence[str], urls: Sequence[list[str]]) -> list[RuleSignals]:
    """``signals`` for many texts at once: the same results, with the per-text work shared."""
    heads = [raw[:5000] for raw in raws]
    stretched = _stretched(heads)
    spam_bit, sweeping_bit = _BITS[_SPAM_PHRASES_RE], _BITS[_SWEEPING_RE]
    threat_bit, insult_bit = _BITS[_THREAT_RE], _BITS[_INSULT_RE]
    urgent_bit, safety_bit = _BITS[_URGENT_RE], _BITS[_SAFETY_RE]
    out = []
    for head, links, stretch in zip(heads, urls, stretched, strict=True):
        low = head.lower()
        words = low.split()
        hit = _triggered(low, words)
        if hit:
            phrases = len(_SPAM_PHRASES_RE.findall(head)) if hit & spam_bit else 0
            sweeping = bool(hit & sweeping_bit) and _SWEEPING_RE.search(head) is not None
            threat = bool(hit & threat_bit) and _THREAT_RE.search(head) is not None
            insult = bool(hit & insult_bit) and _aimed_insult(head)
            urgent = len(_URGENT_RE.findall(head)) if hit & urgent_bit else 0
            safety = bool(hit & safety_bit) and _SAFETY_RE.search(head) is not None
        else:
            phrases = urgent = 0
            sweeping = threat = insult = safety = False
        out.append(
            RuleSignals(
                caps_ratio=caps_ratio(head),
                repetition=repetition(head, stretched=stretch, words=words),
                exclaim_runs=len(_EXCLAIM_RE.findall(head)) if ("!" in head or "?" in head) else 0,
                sweeping=sweeping,
                threat=threat,
                insult=insult,
                spam_score=_spam_score(phrases, links),
                urgent_hits=urgent,
                safety=safety,
                links=len(links),
            )
        )
    return out


def over_the_top(sig: RuleSignals, *, negative: float, offensive: float) -> bool:
    """Exaggerated or sweeping attacks: shouting, repetition or sweeping claims on a negative message."""
    loud = sig.caps_ratio >= 0.6 or sig.repetition >= 0.5 or sig.exclaim_runs >= 2
    if sig.threat or (sig.sweeping and negative >= 0.4):
        return True
    if loud and (negative >= 0.5 or offensive >= 0.5):
        return True
    return sig.sweeping and loud
