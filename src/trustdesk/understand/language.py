"""Language identification without downloads: Unicode scripts plus shipped stop-word lists.

Fast (one pass over the words) and good on sentences of three words or more; short or ambiguous texts
get ``"und"``. Measured in the model card.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.U)
_ASCII_WORD_RE = re.compile(r"[a-z]+(?:'[a-z]+)?")
"""``_WORD_RE`` on lower-cased ASCII text."""
# every byte but a-z and the apostrophe to a space: no _ASCII_WORD_RE match holds one, so the words are
# the split pieces, except the few with an apostrophe, which go through the pattern
_LETTERS_ONLY = bytes(c if 97 <= c <= 122 or c == 39 else 32 for c in range(256))


def _ascii_words(low: str) -> list[str]:
    """``_ASCII_WORD_RE.findall(low)`` for lower-cased ASCII text, at C speed for most texts."""
    words = low.encode("ascii").translate(_LETTERS_ONLY).decode("ascii").split()
    if "'" not in low:
        return words
    return [m for w in words for m in ((w,) if "'" not in w else _ASCII_WORD_RE.findall(w))]


# the most frequent function words of each language, chosen to overlap little between languages
_STOPWORDS: dict[str, str] = {
    "en": "the and is are was were you your my i it this that to of in for with have has not but "
    "they we our be been will would can could just very what when there their at on from me so do don't "
    "it's i'm "
    # frequent customer words, so that short English messages ("great service") are not "und"
    "thanks thank please great good bad love terrible awful amazing service staff order app refund "
    "delivery coffee why how lovely nice love loved best worst ever never again still waiting",
    "fr": "le la les des une un est et je vous nous pas pour dans que qui avec sur mais très ce cette "
    "sont mon ma mes du au aux c'est j'ai il elle ils merci bonjour ne plus tout était été avait suis "
    "vraiment trop rien jamais toujours où",
    "de": "der die das und ist nicht ich sie wir ein eine mit für auf den dem zu es war sehr aber auch "
    "noch kein keine mein meine wie bei sich hat haben danke bitte nur schon wurde wirklich immer",
    "es": "el la los las y es en de que no por para con una un muy pero mi su se lo del al está son "
    "gracias hola todo más como fue tengo yo estaba muy nunca siempre pero",
    "it": "il lo la gli le e è di che non per con una un sono ma mi ho molto del della nel questo "
    "grazie ciao tutto anche come era sempre mai stato",
    "pt": "o a os as e é de que não para com uma um muito mas meu minha do da no na em foi são "
    "obrigado obrigada olá tudo você está estava nunca sempre",
    "nl": "de het een en is van ik niet dat op te met voor zijn maar mijn wij jullie ook nog geen "
    "heel bedankt hallo dit deze wel",
    "sv": "och är det att jag inte en ett på för med som har till var mycket men min mitt vi tack hej "
    "också inget kan",
    "da": "og er det at jeg ikke en et på for med som har til var meget men min mit vi tak hej også "
    "ingen kan",
    "no": "og er det at jeg ikke en et på for med som har til var veldig men min mitt vi takk hei også "
    "ingen kan",
    "fi": "ja on ei se että minä sinä me olen oli kiitos hei myös mutta tämä joka kun niin",
    "pl": "i w nie na to jest że się z do jak ale mój moja dla bardzo dziękuję cześć już jestem",
    "tr": "ve bir bu da de için ile ama çok ben sen biz değil var yok teşekkürler merhaba gibi",
    "id": "dan yang di ini itu dengan untuk tidak saya kami ada dari ke juga sudah terima kasih",
    "ro": "și este în nu pe cu pentru că o un mai foarte dar mulțumesc sunt",
    "cs": "a je v na se že to s do ale jsem nejsem velmi děkuji ahoj není",
    "hu": "és a az nem egy hogy van de is köszönöm nagyon meg volt",
}
_WORDS: dict[str, frozenset[str]] = {lang: frozenset(ws.split()) for lang, ws in _STOPWORDS.items()}
# scripts that (nearly) decide the language on their own
_SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0370, 0x03FF, "el"),
    (0x0590, 0x05FF, "he"),
    (0x0600, 0x06FF, "ar"),
    (0x0900, 0x097F, "hi"),
    (0x0E00, 0x0E7F, "th"),
    (0x3040, 0x30FF, "ja"),
    (0xAC00, 0xD7AF, "ko"),
    (0x4E00, 0x9FFF, "zh"),
    (0x0400, 0x04FF, "ru"),
)
_UK_LETTERS = frozenset("іїєґ")


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[tuple[str, float], ...]]:
    """Each stop word's languages, each with its share (1 / number of languages that have the word)."""
    index: dict[str, list[str]] = {}
    for lang, words in _WORDS.items():
        for w in words:
            index.setdefault(w, []).append(lang)
    return {w: tuple((lang, 1.0 / len(langs)) for lang in langs) for w, langs in index.items()}


# any character of _SCRIPT_RANGES; texts without one (most Latin-script ones) skip the counting loop
_SCRIPT_RE = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi, _ in _SCRIPT_RANGES) + "]")


def _script_language(text: str) -> str | None:
    if text.isascii() or not _SCRIPT_RE.search(text, 0, 500):
        return None
    counts: dict[str, int] = {}
    latin = 0
    for ch in text[:500]:
        o = ord(ch)
        if o < 0x0250:
            if ch.isalpha():
                latin += 1
            continue
        for lo, hi, lang in _SCRIPT_RANGES:
            if lo <= o <= hi:
                counts[lang] = counts.get(lang, 0) + 1
                break
    if not counts:
        return None
    lang, n = max(counts.items(), key=lambda kv: kv[1])
    if n < latin:
        return None
    if lang == "zh" and counts.get("ja", 0) > 0:
        return "ja"  # Japanese mixes kana with Han characters
    if lang == "ru" and any(c in _UK_LETTERS for c in text[:500].lower()):
        return "uk"
    return lang


def detect(text: str) -> str:
    """ISO 639-1 code of the main language of ``text``, or ``"und"`` when there is too little evidence."""
    script = _script_language(text)
    if script is not None:
        return script
    scores: dict[str, float] = {}
    head = text[:2000].lower()
    words = _ascii_words(head) if head.isascii() else _WORD_RE.findall(head.replace("’", "'"))
    if not words:
        return "und"
    for shares in filter(None, map(_index().get, words)):
        for lang, share in shares:
            scores[lang] = scores.get(lang, 0.0) + share
    if not scores:
        return "und"
    # the first language with the highest score, as a stable sort by score would rank it
    best, top = "", -1.0
    for lang, score in scores.items():
        if score > top:
            best, top = lang, score
    second = max((v for lang, v in scores.items() if lang != best), default=0.0)
    # two function words and a clear lead; a lone "a" or "de" decides nothing
    if top >= 1.5 and top >= 1.5 * second:
        return best
    if top >= 1.0 and second == 0.0:
        return best  # one unambiguous function word and no rival
    return "und"
