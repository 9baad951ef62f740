"""Template-generated intent examples for the intents the public data sets lack.

Bitext covers account/billing/delivery/question requests; UCI review sentences give complaint/praise.
Nothing covers bug reports, returns, safety incidents, suggestions or spam, so we write templates with
slots. These are synthetic: the hand-written evaluation set (src/.../eval_data) uses different wording.
"""

from __future__ import annotations

import random

_THINGS = [
    "flat white", "oat latte", "latte", "cappuccino", "cold brew", "chai latte", "espresso", "croissant",
    "bun", "toastie", "sandwich", "coffee beans", "order", "drink", "tea", "muffin", "cake", "hot chocolate",
    "breakfast", "lunch", "pizza", "burger", "shoes", "jacket", "phone", "headphones", "parcel", "package",
]  # fmt: skip
_PLACES = ["shop", "store", "cafe", "branch", "restaurant", "location", "outlet", "place"]
_APP = ["app", "website", "site", "checkout", "login page", "basket", "payment page", "loyalty app"]
_ACTIONS = [
    "open it", "log in", "pay", "check out", "add items to my basket", "scan my card", "place an order",
    "update it", "redeem my points", "upload a photo", "apply a voucher", "change my address",
]  # fmt: skip
_FAIL = [
    "crashes", "freezes", "keeps crashing", "shows a blank screen", "throws an error", "hangs forever",
    "logs me out", "won't load", "just spins", "closes itself", "shows error 500", "goes white",
]  # fmt: skip
_DEVICE = ["on my iPhone", "on Android", "since the last update", "on my Pixel", "on iOS 18", "", "", ""]

_TEMPLATES: dict[str, list[str]] = {
    "bug_report": [
        "The {app} {fail} when I try to {action} {device}",
        "{app} {fail} every time I {action}",
        "Bug: {app} {fail} {device}",
        "Since the update the {app} {fail}",
        "Your {app} is broken, it {fail} when I {action}",
        "I can't {action}, the {app} {fail} {device}",
        "Every time I tap the button to {action} the {app} {fail}",
        "The {app} {fail}. Please fix it",
        "error message when I try to {action} in the {app}",
        "{app} not working {device}, it {fail}",
        "The button to {action} does nothing in the {app}",
        "Notifications are not working in the {app} {device}",
        "The {app} charged me but then {fail}",
        "glitch in the {app}: it {fail} after I {action}",
    ],
    "return_exchange": [
        "I'd like to return my {thing}",
        "How do I return the {thing} I bought?",
        "Can I exchange the {thing} for a different size?",
        "I want to send back the {thing}, it's unopened",
        "The {thing} arrived damaged, I want a replacement",
        "Can I swap the {thing} for something else?",
        "What is your returns policy for {thing}?",
        "I received the wrong {thing}, how do I exchange it?",
        "Please send me a return label for my {thing}",
        "I'd like to exchange my {thing}, it's the wrong one",
        "Can I get a replacement {thing}? It was faulty",
        "How long do I have to return {thing}?",
        "returning the {thing}, where do I post it?",
    ],
    "safety": [
        "I had an allergic reaction after eating the {thing}",
        "Found glass in my {thing}",
        "I got food poisoning from your {thing}",
        "There was a hair in my {thing} and I felt sick after",
        "My son is allergic to nuts and the {thing} had nuts in it",
        "The {thing} was undercooked and I was sick all night",
        "I burnt my hand, the cup lid came off the {thing}",
        "I saw a rat in your {place}",
        "found a piece of metal in my {thing}",
        "The floor was wet, no sign, and I slipped and fell in your {place}",
        "Ended up in hospital after eating at your {place}",
        "Cockroach in the {place}, this is a hygiene risk",
        "Mould on my {thing}, is it safe?",
        "You said the {thing} was gluten free but I'm coeliac and got really ill",
        "The {thing} was scalding hot and burned my child",
    ],
    "suggestion": [
        "It would be great if you added {thing} to the menu",
        "You should open earlier in the morning",
        "Please add a dark mode to the {app}",
        "Suggestion: let us {action} in the {app}",
        "Have you thought about offering oat milk for free?",
        "It would be nice if the {app} let me {action}",
        "Could you add more seating in the {place}?",
        "I wish you had more vegan options",
        "Why not bring back the {thing}? Would love that",
        "Idea: a loyalty stamp for every {thing}",
        "Would be good to have plugs for laptops in the {place}",
        "Maybe consider paper straws instead of plastic",
        "You could make the {app} remember my usual order",
        "Please consider a smaller size of {thing}",
    ],
    "spam": [
        "Check out my profile for free followers!!! {link}",
        "Giveaway!! Win a free iPhone, click here {link}",
        "Make money from home, $500 a day, DM me",
        "Follow me and I'll follow back #f4f",
        "Crypto investment opportunity, 10x guaranteed {link}",
        "Use my promo code SAVE50 for 50% off at {link}",
        "Visit my store for cheap sunglasses {link}",
        "Earn $300 daily with this simple trick {link}",
        "Subscribe to my channel {link}",
        "Hot singles in your area {link}",
        "Best betting tips, join my telegram {link}",
        "Claim your free gift card now {link}",
        "Bitcoin doubling service, send 0.1 BTC get 0.2 back",
        "Cheap followers and likes, whatsapp +44 7700 900123",
    ],
    "praise": [
        "Loved the {thing}, thank you!",
        "Best {thing} in town, staff are lovely",
        "Great service at the {place} today",
        "Thanks to the team, the {thing} was perfect",
        "Amazing {thing} as always",
        "Really friendly staff, will be back",
        "Five stars, the {thing} was delicious",
        "The {app} is so easy to use, love it",
        "Shout out to the barista for the perfect {thing}",
        "Brilliant experience, thank you so much",
    ],
    "complaint": [
        "The {thing} was cold and the staff didn't care",
        "Terrible service at the {place}, waited 30 minutes",
        "Really disappointed with my {thing}",
        "Rude staff at the {place} today",
        "My {thing} was wrong again",
        "Worst {thing} I've ever had",
        "Overpriced and the {thing} was stale",
        "The {place} was dirty and the bins were overflowing",
        "Waited ages and nobody served me",
        "Not happy, the {thing} tasted burnt",
    ],
    "question": [
        "What time do you open on Sunday?",
        "Do you have oat milk?",
        "Is the {place} dog friendly?",
        "Do you sell {thing} online?",
        "Are you open on bank holidays?",
        "Is there parking near the {place}?",
        "Do you do gift cards?",
        "Can I book a table for six?",
        "Do you have wifi in the {place}?",
        "Which beans do you use for the {thing}?",
    ],
    "delivery": [
        "Where is my {thing}? It hasn't arrived",
        "My order hasn't been delivered yet",
        "The courier says delivered but I have no {thing}",
        "Do you deliver to Ireland?",
        "How long does delivery take?",
        "Tracking hasn't updated in 5 days",
        "My parcel is lost",
        "Do you ship to {country}?",
        "How much is shipping to {country}?",
        "Is postage free over a certain amount?",
        "Can you deliver to my office instead?",
        "The {thing} I ordered was sent to the wrong address",
    ],
    "billing_refund": [
        "I was charged twice for my {thing}",
        "I want a refund for the {thing}",
        "Still waiting for my refund",
        "Why was I charged for a cancelled order?",
        "Please cancel my subscription and refund me",
        "The price on the receipt is wrong",
        "Cancelled my subscription but you still took the money",
        "You took payment twice for one {thing}",
        "I was overcharged for my {thing}",
        "Where is my money back? I returned the {thing} weeks ago",
    ],
    "account_access": [
        "I can't log in to my account",
        "Forgot my password and the reset email never comes",
        "My account has been locked",
        "How do I delete my account?",
        "My rewards points disappeared from my account",
        "I can't sign in with my email anymore",
    ],
}

_COUNTRIES = ["France", "Ireland", "Spain", "the US", "Norway", "Italy", "the Netherlands", "Poland"]
_LINKS = ["http", "bit.ly/x1", "http", "www.example.biz", "http"]


def generate(*, per_intent: int = 250, seed: int = 13) -> list[tuple[str, str]]:
    """(text, intent) pairs: every template filled with random slots, ``per_intent`` per intent."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for intent, templates in _TEMPLATES.items():
        seen: set[str] = set()
        for _ in range(per_intent * 3):
            if len(seen) >= per_intent:
                break
            t = (
                rng.choice(templates)
                .format(
                    thing=rng.choice(_THINGS),
                    place=rng.choice(_PLACES),
                    app=rng.choice(_APP),
                    action=rng.choice(_ACTIONS),
                    fail=rng.choice(_FAIL),
                    device=rng.choice(_DEVICE),
                    link=rng.choice(_LINKS),
                    country=rng.choice(_COUNTRIES),
                )
                .strip()
            )
            t = t[0].upper() + t[1:] if rng.random() < 0.7 else t.lower()
            if rng.random() < 0.2:
                t += rng.choice([" please", "!", " !!", " thanks", " 😡", " 🙏", " ???"])
            seen.add(t)
        out.extend((t, intent) for t in sorted(seen))
    return out
