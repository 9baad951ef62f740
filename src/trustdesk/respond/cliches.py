"""Stock phrases real care teams overuse, measured on 33,299 real brand replies: drafts should avoid them.

Measured by ``python -m bench.cliches`` on ``../shared/data/twcs_brand_replies`` (twcs, CC BY-NC-SA 4.0:
measured, never shipped): ``share`` is the mean over the 7 companies with 400+ replies (Spotify, Apple,
AirAsia, McDonald's, Nike, Walmart, RBC) of the share of their replies holding the phrase; ``companies`` how
many of the 7 use it in at least 0.5 % of replies. Kept from that output by reading it: the phrases that
say nothing about the customer's case (a request to move to DMs, an offer to "help" instead of help, a
stock apology or thanks). Phrases that carry content ("what version are you using") were left out. Each
row's figures are the phrase's own, measured as written; a few well-known ones ("sorry to hear that", "have
a great day", "thanks for letting us know") are under the bars in this corpus and kept because our own
drafts use them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class Cliche:
    """A phrase, its measured share of real replies, how many companies use it, and why it is empty."""

    phrase: str
    share: float
    companies: int
    why: str


_DM = "moves the conversation to private messages instead of answering"
_HELP = "announces help instead of giving it"
_STOCK = "a stock courtesy that names nothing of the customer's case"

CLICHES: tuple[Cliche, ...] = (
    Cliche("dm us", 0.0678, 5, _DM),
    Cliche("let us know", 0.0649, 6, "hands the next step back to the customer"),
    Cliche("send us a dm", 0.0262, 3, _DM),
    Cliche("can you dm us", 0.0261, 3, _DM),
    Cliche("please dm us", 0.0095, 3, _DM),
    Cliche("take a look", 0.0327, 3, "promises to look instead of saying what was found"),
    Cliche("take a closer look", 0.0059, 3, "promises to look instead of saying what was found"),
    Cliche("look into", 0.0311, 3, "promises to look instead of saying what was found"),
    Cliche("see what we can", 0.014, 3, _HELP),
    Cliche("we're here to help", 0.0134, 3, _HELP),
    Cliche("here for you", 0.0069, 3, _HELP),
    Cliche("we can help", 0.0177, 4, _HELP),
    Cliche("happy to help", 0.0113, 4, _HELP),
    Cliche("to assist you", 0.0058, 3, _HELP),
    Cliche("reach out", 0.0111, 3, _HELP),
    Cliche("give us a shout", 0.0097, 3, "hands the next step back to the customer"),
    Cliche("thanks for sharing", 0.0094, 3, _STOCK),
    Cliche("thanks for letting us know", 0.0032, 1, _STOCK),
    Cliche("we appreciate your", 0.0072, 3, _STOCK),
    Cliche("have a great day", 0.0051, 2, _STOCK),
    Cliche("sorry for the inconvenience", 0.0044, 2, _STOCK),
    Cliche("sorry to hear that", 0.0028, 1, _STOCK),
)
"""Most used first within each kind; ``phrase`` is lower-case words, matched whole-word."""


@cache
def _pattern() -> re.Pattern[str]:
    alternatives = sorted((c.phrase for c in CLICHES), key=len, reverse=True)
    body = "|".join(re.escape(p).replace(r"\ ", r"\s+").replace("'", "['’]") for p in alternatives)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.I)


def find_cliches(text: str) -> list[str]:
    """The clichés ``text`` uses, as written in it, in order."""
    return [m.group(0) for m in _pattern().finditer(text)]
