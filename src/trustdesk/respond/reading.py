"""How the drafter reads a conversation: its stance, urgent human matters and where the thread stands.

The stance (thank, apologise, or acknowledge and help) is decided here from the words of the whole
thread, the star rating and the analysis together, with a guard that does not trust the analysis: any
complaint, failure, sarcasm or sadness cue blocks a praise stance, clear praise blocks an apology, and
conflicting signals give the sober "help" stance.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from trustdesk.understand.schemas import Analysis

Stance = Literal["thank", "apologise", "help"]
Care = Literal["bereavement", "health", "children", "vulnerability", "occasion"]
ThreadState = Literal["new", "answered_us", "still_waiting", "resolved", "follow_up"]


@dataclass(frozen=True, slots=True)
class Turn:
    """One earlier message of the thread: ``inbound`` from a customer or ``outbound`` from the brand."""

    direction: str
    text: str
    author: str | None = None


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


# A problem the customer has. Negations that undo it ("no problem", "never had an issue") are removed first.
_COMPLAINT = _rx(
    r"would be (?:great|nice|helpful|good)\s*!|\(not\)|#\w*fail\w*|^\W*(?:@\w+\s*)*(?:…|\.\.\.)?\s*but\b|"
    r"\bbut\s*\.\.\.\s*$|"
    r"\b(not (?:working|loading|arrived|delivered|received|happy|good|great|impressed|acceptable|ok|okay)|"
    r"doesn'?t work|does not work|didn'?t work|won'?t (?:load|open|work|let|start|play|connect|sync|save|"
    r"update|download|sign|log)|can'?t (?:log|sign|open|get|access|find|save|use|play|connect|download|"
    r"cancel|believe)|cannot|unable to|broken|broke|crash\w*|freezes|froze|freezing up|glitch\w*|bug+y?|bugs|error\w*|"
    r"fail\w*|stuck|lag|lagg\w*|keeps? (?:crashing|freezing|signing|logging|closing|stopping|asking|deleting)|"
    r"never (?:arrived|came|received|got|turned up|showed)|nothing (?:arrived|came|has arrived)|"
    r"missing|lost|wrong|refund|refunds|charged|dropped call|\w+ hour wait|(?:was|were) supposed to|overcharg\w*|double[- ]charg\w*|scam\w*|rip[- ]?off|"
    r"disappoint\w*|terrible|awful|horrible|horrendous|worst|rude\w*|useless|rubbish|pathetic|ridiculous|"
    r"poor|dirty|filthy|smelly|stain\w*|noisy|cold (?:food|coffee|latte|room|shower|water)|lukewarm|"
    r"(?:was|were|is|are|arrived|came) (?:stone[- ])?(?:cold|flat|burnt|burned|soggy|dry|raw|undercooked)|"
    r"tasted (?:burnt|off|bad|awful|weird)|shame (?:about|that)|pity|only (?:gripe|complaint|downside|issue)|"
    r"downside|wobbly|not (?:that|so|very|too|all that) (?:good|great|nice|impressive)|not (?:thrilled|amused|"
    r"pleased|impressed)|on hold|would be (?:great|nice|helpful|appreciated) if|would be (?:great|nice)!|"
    r"where is (?:the|my)|can'?t even|(?:been )?trying (?:since|to (?:get|update|change|reach|cancel|book|find))|"
    r"get through|out of (?:their|your|our) control|everyone else (?:was|were|is)|took (?:about |over |almost )?"
    r"\d+\s*(?:min|mins|minutes|hours?|hrs?|days?|weeks?)|(?:you|u) (?:guys |all )?should|tried (?:it )?again|"
    r"no case|bright side|(?:keeping|broke|broken) (?:the |a |your )?promise|substandard|first impressions|"
    r"willing to cover|extra (?:days?|hours?|nights?)|thx for showing|thanks for showing|drains?|draining|"
    r"sort (?:\w+ ){1,3}out|needs? (?:fewer|more|to be|better|fixing)|"
    r"can'?t seem|not fair|unfair|nope|pay again|repay|no longer|not able|no option|"
    r"no way to|not (?:getting|receiving|showing|appearing|loading|responding|syncing|saving)|"
    r"aren'?t (?:showing|appearing|working|loading)|isn'?t (?:working|showing|loading)|got reset|reset|"
    r"went through twice|paid twice|"
    r"stale|late|delay\w*|cancel+ed|waiting|waited|no (?:reply|response|answer|one|help|update|word)|"
    r"unanswered|ignor\w*|hack\w*|locked out|annoy\w*|frustrat\w*|angry|furious|fed up|sick of|"
    r"tired of|hate|sucks?|mess|shambles|joke|unacceptable|complain\w*|problem|issue|slow|ads (?:every|after|pop)|"
    r"too many ads|expensive|overpriced|bland|mediocre|meh|avoid|never again|not worth|waste|"
    r"deleted|disappeared|"
    r"why (?:is|does|do|did|can'?t|won'?t)|wtf|ffs|smh|uninstall\w*|paid for|1 star|one star|zero stars|"
    r"no stars|downgrad\w*|worse|bad|dissatisf\w*|unhappy|upset|bother\w*|incorrect|inaccurate|"
    r"insulting|embarrass\w*|shocking|shocked|appalling|dreadful|nightmare|unusable|unplayable|"
    r"roto|rota|frí[oa]|lent[oa]|sucio|pésim[oa]|fatal|nunca lleg\w+|no funciona|decepci\w+)\b"
    r"|\bhelp\s*!|\bhe+e+l+p+\b"
)
_NOT_COMPLAINT = _rx(
    r"\b(no (?:problem|problems|issue|issues|complaints?|worries)|never (?:had|have) (?:a |any )?"
    r"(?:problem|issue)s?|not (?:a|one) (?:problem|issue|complaint)|without (?:any )?(?:problem|issue|"
    r"fail|lag|ads?|delay)s?|can'?t (?:wait|recommend|fault|complain|praise|thank|say enough)|"
    r"couldn'?t (?:fault|complain|ask for|be happier|recommend)|wouldn'?t hesitate|not bad|never disappoint\w*|"
    r"nothing (?:bad|wrong)|no ads|ad[- ]free|bad ?ass|hate to leave|fixed|resolved|sorted|"
    r"works? (?:now|again|fine|great|perfectly)|still (?:the best|love|great|my fav\w*|going)|"
    r"(?:come|go|stay|visit|be back|order) again|again and again|can'?t go wrong|nothing wrong|worth it|"
    r"worth every|good value|great value|value for money|(?:little|few) (?:to no )?ads|no complaints?)\b"
)
# The brand's own service failed: only here may a reply say "we got this wrong".
_FAILURE = _rx(
    r"\b(charged (?:me )?(?:twice|two times|double|again)|double[- ]charg\w*|overcharg\w*|"
    r"(?:still|keep|kept) (?:being )?charg\w*|taken a further|"
    r"never (?:arrived|came|turned up|got (?:it|my|the))|nothing (?:arrived|came|has arrived)|"
    r"(?:hasn'?t|has not|didn'?t|did not|haven'?t|have not) (?:arrived|come|turned up|been delivered|"
    r"received (?:it|my|the|a|any))|marked (?:as )?'?delivered'?|"
    r"(?:no|zero|0) (?:replies|reply|response|answer)|unanswered|went unanswered|still (?:silence|nothing|"
    r"no|waiting|not)|ignor(?:ed|ing) (?:me|my|us)|"
    r"wrong (?:order|item|size|product|drink|room|charge|amount)|missing (?:item|items|from)|"
    r"(?:link|page|site|checkout|payment) (?:returns|gives|goes to|is) (?:a |an )?(?:404|error|broken)|"
    r"\b404\b|cancel\w* (?:link|button)|(?:can'?t|cannot|unable to|impossible to) cancel|"
    r"rude\w*|was cold|were cold|lukewarm|not (?:ready|cleaned|clean)|dirty|filthy|"
    r"crash\w*|keeps? (?:crashing|freezing|signing me out|logging me out|deleting)|"
    r"lost (?:my|our) (?:parcel|order|package|booking|data|files|photos|progress|save)|"
    r"(?:update|upgrade) (?:broke|deleted|ruined|removed)|since the (?:latest |last |new )?update)\b"
)
# Failures of the brand's own service that the customer can see for themselves (a charge, a delivery, a
# silence): "we got this wrong" is said only for these, never for a taste, a policy or a claim about staff.
_OWN_FAILURE = _rx(
    r"\b(charged (?:me )?(?:twice|two times|double|again)|double[- ]charg\w*|(?:still|keep|kept) (?:being )?"
    r"charg\w*|taken a further|never (?:arrived|came|turned up)|nothing (?:arrived|came)|marked (?:as )?'?"
    r"delivered|(?:no|zero|0) (?:replies|reply|response)|unanswered|(?:link|page) (?:returns|goes to) "
    r"(?:a |an )?(?:404|error)|\b404\b|(?:can'?t|cannot|unable to|impossible to) cancel)\b"
)
_SARCASM = _rx(
    r"(\bthanks? (?:a lot )?for nothing\b|\byeah,? right\b|\bso much for\b|\boh (?:great|wonderful|perfect|"
    r"joy|good)\b|\bjust (?:great|perfect|brilliant|wonderful)\b|\bslow clap\b|\bgotta love\b|"
    r"\blove (?:it )?(?:when|how) (?:you|your|i|my|the)\b.*\b(?:not|never|no|again|still|wait)|"
    r"\bimpressive\.|\bbravo\b|\bthanks again\b.*\b(?:not|never|no)\b|"
    r"/s\b|🙄|🙃|🤡|\bcheers for that\b|\bwhat a joke\b|\bmakes my day!|\bcalled,? and they want|"
    r"\breally enjoying my \w+ (?:on hold|waiting|stuck)|\bsincere apology!)"
)
_SADNESS = _rx(
    r"\b(passed away|died|death|funeral|grief|grieving|bereave\w*|heartbroken|devastated|in tears|"
    r"crying|cried|depress\w*|lonely|miss (?:him|her|them)|late (?:husband|wife|mother|father|mum|dad)|"
    r"sad|sadly|upsetting|distraught|lost (?:my|our) (?:husband|wife|mum|mom|mother|dad|father|son|"
    r"daughter|baby|child|brother|sister|friend|dog|cat|grandm\w+|grandf\w+|nan|gran))\b"
)
_PRAISE = _rx(
    r"\b(love[ds]?|loving|great|amazing|awesome|excellent|fantastic|brilliant|perfect\w*|wonderful|"
    r"lovely|superb|delicious|tasty|yummy|friendly|helpful|kind|recommend\w*|enjoy\w*|best|beautiful|"
    r"gorgeous|spotless|immaculate|comfortable|comfy|spacious|clean|impressed|outstanding|exceptional|"
    r"favou?rite|gem|happy|pleased|glad|satisfied|smooth|easy to use|easy|useful|works (?:great|well|"
    r"perfectly)|well done|kudos|legend|star|thank you (?:so|very) much|thanks so much|many thanks|"
    r"grateful|5 stars|"
    r"five stars|10/10|a\+|nice|good|cool|fab|fabulous|stunning|incredible|top notch|first class|"
    r"genial|encant\w+|buen[ií]sim\w+|gracias|riqu[ií]sim\w+|perfect[oa]|that works|works for me)\b"
    r"|\bkeep coming back\b|❤|😍|🥰|👍|🙌|😊|💯"
)
_THANKS = _rx(r"\b(thanks?|thank you|thx|ty|cheers|appreciate\w*)\b")
_REQUEST = _rx(
    r"\b(please|pls|plz|can you|could you|would you|will you|can i|how do i|help me|help us|DM(?:ed)?"
    r" you|any help|help appreciated|should)\b|\?"
)
_THANKS_ONLY = _rx(
    r"^\W*(?:@\w+\W*)*(?:ok(?:ay)?|great|perfect|brilliant|awesome|cool|nice|lovely|cheers|ta|thanks?|"
    r"thank you|thx|ty|many thanks|got it|done|will do|sorted|all good|noted|yes|yep|no)\b[\w\s,.!'’😊🙌👍❤🙏]*$"
)
_RESOLVED = _rx(
    r"\b(arrived|got (?:it|them|the refund|my refund|the email)|received|works? now|working now|"
    r"fixed|sorted|resolved|all good|that did it|that worked|it worked|problem solved|done|ordered|"
    r"came today|turned up|refund (?:notice|came|arrived|went through))\b"
)
_WAITING = _rx(
    r"\b(still (?:waiting|nothing|no|not|silence|haven'?t|hasn'?t|charged|being)|no (?:reply|replies|"
    r"response|answer|update|word) (?:yet|since|from)|(?:heard|had) nothing|any (?:update|news)|"
    r"chas(?:ed|ing)|(?:\d+|two|three|four|several) (?:emails|calls|messages|days|weeks|hours)|"
    r"follow(?:ing)? up|again\?|hello\?+|anyone\?|silence|days later|weeks later|"
    r"(?:0|zero|no) replies)\b"
)
_QUESTION_START = _rx(
    r"^(?:(?:@\w+\s+)*)(?:how|when|what|where|why|which|who|do|does|did|can|could|is|are|will|would|"
    r"should|may|have|has)\b"
)

_CARE: tuple[tuple[Care, re.Pattern[str]], ...] = (
    (
        "bereavement",
        _rx(
            r"\b(passed away|died|funeral|bereave\w*|grief|grieving|in memory of|memorial|"
            r"late (?:husband|wife|partner|mother|father|mum|mom|dad|son|daughter)|"
            r"lost (?:my|our) (?:husband|wife|partner|mum|mom|mother|dad|father|son|daughter|baby|child|"
            r"brother|sister|grandm\w+|grandf\w+|nan|gran)|recently deceased|deceased)\b"
        ),
    ),
    (
        "health",
        _rx(
            r"\b(hospital|a&e|ambulance|paramedic|medication|medicine|meds|insulin|prescription|epi-?pen|"
            r"inhaler|chemo\w*|cancer|diagnos\w*|surgery|operation|seizure|diabet\w*|allerg\w*|"
            r"anaphyla\w*|pregnan\w*|disabilit\w*|disabled|wheelchair|oxygen|dialysis|life support|"
            r"heart attack|stroke|mental health|suicid\w*|self[- ]harm)\b"
        ),
    ),
    (
        "children",
        _rx(
            r"\b(my (?:baby|babies|infant|newborn|toddler|son|daughter|kid|kids|child|children|little one|"
            r"little boy|little girl|twins)|our (?:baby|infant|newborn|toddler|son|daughter|kids|children)|"
            r"crying (?:child|baby|kid|toddler)|baby formula|formula milk|nappies|diapers)\b"
        ),
    ),
    (
        "vulnerability",
        _rx(
            r"\b(vulnerable|elderly|pensioner|housebound|carer|homeless|domestic (?:abuse|violence)|"
            r"abusive (?:partner|ex)|scared|terrified|no (?:heating|food|electricity|power|water) for|"
            r"can'?t afford (?:food|to eat|rent|heating)|alone (?:at|with)|on my own with|blind|deaf)\b"
        ),
    ),
    (
        "occasion",
        _rx(
            r"\b(wedding|honeymoon|anniversary|birthday|funeral|christening|proposal|graduation)\b"
            r"(?=.*\b(cancel\w*|ruin\w*|missed|spoil\w*|late|lost|never|wrong|didn'?t|not)\b)"
            r"|\b(cancel\w*|ruin\w*|missed|spoil\w*)\b[^.!?]{0,40}\b(wedding|honeymoon|anniversary|birthday)\b"
        ),
    ),
)
_RELATION = _rx(
    r"\b(?:my|our) (late )?(husband|wife|partner|mum|mom|mother|dad|father|son|daughter|baby|child|brother|"
    r"sister|grandmother|grandfather|grandma|grandpa|nan|gran|friend|infant|newborn|toddler|little one)\b"
)


@dataclass(slots=True)
class Reading:
    """What the drafter takes from the whole conversation, independent of the analysis's labels."""

    stance: Stance
    cues: set[str] = field(default_factory=set)
    care: Care | None = None
    relation: str | None = None
    """The person the customer named in an urgent human matter, as "your husband" (their own word)."""
    thread: ThreadState = "new"
    issue: str = ""
    """The text that states the customer's matter: this message, or their first in the thread."""
    we_said: list[str] = field(default_factory=list)
    service_failure: bool = False
    reasons: list[str] = field(default_factory=list)


def cues_of(text: str) -> set[str]:
    """The cue families found in one text: complaint, failure, sarcasm, sadness, praise, question."""
    found: set[str] = set()
    scrubbed = _NOT_COMPLAINT.sub(" ", text)
    if _COMPLAINT.search(scrubbed):
        found.add("complaint")
    if _FAILURE.search(scrubbed):
        found.add("failure")
    if _SARCASM.search(text):
        found.add("sarcasm")
    if _SADNESS.search(text):
        found.add("sadness")
    if _PRAISE.search(_SARCASM.sub(" ", text)) or (_THANKS.search(text) and not _REQUEST.search(text)):
        found.add("praise")  # "thanks" ending a request ("can you update my points - thanks") is manners
    if asks(text):
        found.add("question")
    if _SUGGESTION.search(text):
        found.add("suggestion")
    return found


_SUGGESTION = _rx(
    r"\b(please add|would (?:be|love) (?:nice|great|perfect|good|awesome|it) if|would love (?:to see|a|an)|"
    r"wish (?:you|it|there)|feature request|you should add|could you add|can you add|add an option|"
    r"it would be (?:nice|great|perfect)|suggest\w*)\b"
)


_ASKING = _rx(
    r"^(?:how (?:can|do|does|did|to|long|much|many|come)|where (?:can|is|are|do)|when (?:will|is|are|does|can|"
    r"do)|what (?:is|are|does|do|can|should|happened)|why (?:is|does|do|did|can'?t|won'?t|isn'?t)|which|who (?:is|"
    r"can|do)|can (?:you|i|we|someone)|could (?:you|i|someone)|do you|does (?:anyone|the|it|this)|is (?:there|it|"
    r"this)|are (?:there|you)|will (?:you|it|there)|any (?:way|chance|idea|update))\b"
)


def asks(text: str) -> bool:
    """True when a sentence asks something ("Procreate? No." and "? hello" do not)."""
    for sentence in re.findall(r"[^.!?\n]+[.!?]*", text):
        body = re.sub(r"^\W*(?:@\w+\s*)*", "", sentence).strip()
        if _ASKING.match(body) or (body.endswith("?") and len(body.split()) >= 3):
            return True
    return "¿" in text


def care_of(text: str) -> tuple[Care | None, str | None]:
    """An urgent human matter in the text (bereavement, health, children...) and the person named."""
    for kind, rx in _CARE:
        if rx.search(text):
            m = _RELATION.search(text)
            relation = f"your {m.group(2).lower()}" if m else None
            return kind, relation
    return None, None


NEGATIVE = frozenset({"complaint", "failure", "sarcasm", "sadness"})


def _thread_state(text: str, thread: Sequence[Turn], author: str | None) -> tuple[ThreadState, str]:
    """Where the conversation stands, and the text that states the customer's matter."""
    ours = [t for t in thread if t.direction == "outbound"]
    theirs = [
        t for t in thread if t.direction != "outbound" and (author is None or t.author in {None, author})
    ]
    issue = " ".join(t.text for t in theirs[:2]) if theirs else ""
    if not thread:
        return "new", text
    if _WAITING.search(text) and (ours or theirs):
        return "still_waiting", issue or text
    if ours:
        last_ours = ours[-1].text
        after_ours = thread.index(ours[-1]) == len(thread) - 1
        short = len(text.split()) <= 12
        if after_ours and "?" in last_ours and short and not _THANKS_ONLY.search(text):
            return "answered_us", issue or text
        if _RESOLVED.search(text) or _THANKS_ONLY.search(text):
            return "resolved", issue or text
    return ("follow_up", issue) if theirs else ("new", text)


def read_conversation(
    *,
    text: str,
    analysis: Analysis,
    rating: float | None = None,
    thread: Sequence[Turn] = (),
    author: str | None = None,
) -> Reading:
    """Decide the stance and the thread state for a reply to ``text`` after ``thread``."""
    state, issue = _thread_state(text, thread, author)
    now = cues_of(text)
    cues = set(now)
    if state in {"still_waiting", "follow_up", "answered_us"}:
        # The matter itself is in the earlier messages: "PS4" or "still nothing" carries none of it.
        cues |= {c for c in cues_of(issue) if c in NEGATIVE}
    care, relation = care_of(f"{issue} {text}" if issue != text else text)
    if care not in {None, "bereavement"} and not cues & NEGATIVE:
        care, relation = (
            None,
            None,
        )  # "my daughter is coeliac — anything gluten-free?" is a question, not a crisis
    reasons: list[str] = []
    negative = bool(cues & NEGATIVE)
    praise = "praise" in now
    failure = "failure" in cues or state == "still_waiting"
    mixed = bool(getattr(analysis, "mixed", False))
    stance: Stance
    if state == "resolved" and not negative:
        stance = "thank"
        reasons.append("the customer says it is sorted")
    elif state == "answered_us":
        stance = "help"
        reasons.append("the customer answered our question")
    elif state == "still_waiting":
        stance = "apologise"
        reasons.append("the customer is still waiting on us")
    elif rating is not None and rating <= 2:
        stance = "apologise" if (negative or not praise) else "help"
        reasons.append(f"{rating:g} stars")
    elif rating is not None and not negative and (rating >= 5 or (rating >= 4 and praise)):
        stance = "thank"
        reasons.append(f"{rating:g} stars and no complaint")
    elif rating is not None and rating >= 4:
        stance = "help"
        reasons.append(f"{rating:g} stars with a complaint or a question")
    elif negative and praise:
        stance = "apologise" if failure and "praise" not in now else "help"
        reasons.append("praise and complaint cues together: a sober reply")
    elif negative:
        # Neutral counts as upset here: the models miss complaints in other languages and in plain words.
        upset = analysis.sentiment != "positive" or failure or "sadness" in cues or "sarcasm" in cues
        stance = "apologise" if upset and not mixed else "help"
        reasons.append("complaint cues")
    elif praise and analysis.sentiment != "negative" and "question" not in now:
        stance = "thank"
        reasons.append("praise cues")
    elif praise and "question" in now:
        stance = "help"
        reasons.append("a question with kind words")
    else:
        stance = "help"
        reasons.append("no clear praise or complaint")
    # The guard, whatever the rules above said: praise is never thanked over a complaint, clear praise
    # never gets an apology, and a 5-star rating is never apologised to.
    if stance == "thank" and negative and state != "resolved":
        stance = "help"
        reasons.append("guard: complaint, failure, sarcasm or sadness cue blocks thanks for praise")
    if stance == "apologise" and ((praise and not negative) or (rating is not None and rating >= 5)):
        stance = "help" if negative else "thank"
        reasons.append("guard: clear praise or 5 stars blocks an apology")
    if care == "bereavement" and stance == "apologise" and praise:
        stance = "thank"
    return Reading(
        stance=stance,
        cues=cues,
        care=care,
        relation=relation,
        thread=state,
        issue=issue,
        we_said=[t.text for t in thread if t.direction == "outbound"],
        service_failure=stance == "apologise"
        and (state == "still_waiting" or bool(_OWN_FAILURE.search(f"{issue} {text}"))),  # fmt: skip
        reasons=reasons,
    )
