"""The reply checker, with planted violations of every kind."""

from __future__ import annotations

from trustdesk.respond import check_reply, requires_lead

MSG = "The oat latte at Canal Street was cold and I waited 20 minutes."
GOOD = (
    "Hi Jane,\nThat sounds really frustrating. We're sorry — we're checking what went wrong with the oat "
    "latte at Canal Street today. Could you email care@bluebirdcoffee.example so we can sort it out?\n— Jess"
)


def _codes(findings) -> set[str]:
    return {f.code for f in findings}


def test_checker_passes_a_good_reply(bluebird, analysis) -> None:
    findings = check_reply(
        message=MSG, reply=GOOD, playbook=bluebird, channel="google-canal-street", analysis=analysis()
    )
    assert findings == []


def test_checker_flags_unauthorised_compensation(bluebird, analysis) -> None:
    reply = GOOD + " As an apology, here's 50% off your next order and a £10 voucher!"
    findings = check_reply(message=MSG, reply=reply, playbook=bluebird, analysis=analysis())
    assert "unauthorised_compensation" in _codes(findings)
    assert requires_lead(findings)


def test_checker_knows_which_role_may_make_an_offer(bluebird, analysis) -> None:
    drink = GOOD + " We'd like to offer you a replacement drink on us on your next visit."
    assert check_reply(message=MSG, reply=drink, playbook=bluebird, analysis=analysis()) == []
    refund = GOOD + " We'd like to offer you a full refund of the affected order."
    billing = analysis(intent="billing_refund")
    agent = check_reply(message="I was charged twice.", reply=refund, playbook=bluebird, analysis=billing)
    assert "compensation_needs_approval" in _codes(agent)
    lead = check_reply(
        message="I was charged twice.", reply=refund, playbook=bluebird, analysis=billing, role="lead"
    )
    assert "compensation_needs_approval" not in _codes(lead)
    wrong = check_reply(
        message="The app crashes.",
        reply=refund,
        playbook=bluebird,
        role="lead",
        analysis=analysis(intent="bug_report"),
    )
    assert "compensation_wrong_situation" in _codes(wrong)


def test_checker_flags_invented_facts_but_not_playbook_facts(bluebird, analysis) -> None:
    ok = GOOD + " Our cafés are open Mon–Fri 07:00–18:00 and Sat–Sun 08:00–17:00."
    assert "invented_fact" not in _codes(check_reply(message=MSG, reply=ok, playbook=bluebird))
    echoed = GOOD + " Waiting 20 minutes isn't right."
    assert "invented_fact" not in _codes(check_reply(message=MSG, reply=echoed, playbook=bluebird))
    for claim in (
        " We're open until 9pm on Sundays.",
        " Returns are accepted within 90 days.",
        " A flat white costs £2.80.",
    ):
        findings = check_reply(message=MSG, reply=GOOD + claim, playbook=bluebird)
        assert "invented_fact" in _codes(findings), claim
        assert requires_lead(findings)


def test_checker_enforces_platform_rules(bluebird, fernway) -> None:
    long_reply = GOOD + " " + "We really do care about every single cup we serve. " * 6
    findings = check_reply(message=MSG, reply=long_reply, playbook=bluebird, channel="play-store")
    assert "platform_length" in _codes(findings) and requires_lead(findings)
    offer = "Sorry about the tent. Here is a prepaid returns label."
    findings = check_reply(message="Tent broke", reply=offer, playbook=fernway, channel="yelp")
    assert "platform_incentive" in _codes(findings)


def test_checker_warns_on_forbidden_phrases_without_needing_a_lead(bluebird) -> None:
    reply = GOOD + " We apologise for any inconvenience."
    findings = check_reply(message=MSG, reply=reply, playbook=bluebird)
    assert "forbidden_phrase" in _codes(findings)
    assert not requires_lead(findings)


def test_checker_flags_personal_data_only_on_public_channels(bluebird) -> None:
    msg = "Order BB-654321 is missing, I'm jane@example.com, 07700 900123"
    reply = (
        "Hi Jane, sorry your order BB-654321 is missing. We'll email jane@example.com or call 07700 900123."
    )
    public = check_reply(message=msg, reply=reply, playbook=bluebird, channel="facebook")
    assert [f.code for f in public].count("personal_data") == 3
    assert all("654321" not in (f.span or "") for f in public)
    private = check_reply(message=msg, reply=reply, playbook=bluebird, channel="email")
    assert "personal_data" not in _codes(private)


def test_checker_flags_tone(bluebird) -> None:
    cases = {
        "tone_blame": "You should have checked the order before leaving the oat latte counter.",
        "tone_shouting": "WE ARE VERY SORRY about the oat latte!!",
        "tone_sarcasm": "Sorry you feel that way about the oat latte.",
        "legal_admission": "We accept liability for the oat latte.",
        "unsafe_content": "Sorry about the oat latte <script>alert(1)</script>",
    }
    for code, reply in cases.items():
        assert code in _codes(check_reply(message=MSG, reply=reply, playbook=bluebird)), code


def test_checker_wants_empathy_and_specifics(bluebird, analysis) -> None:
    generic = "Hi, thanks for your review. We hope to see you again soon."
    findings = check_reply(message=MSG, reply=generic, playbook=bluebird, analysis=analysis())
    assert {"no_empathy", "not_personal"} <= _codes(findings)
    assert not requires_lead(findings)


def test_checker_flags_replies_too_similar_to_recent_ones(bluebird) -> None:
    earlier = [GOOD.replace("Jane", "Sam")]
    assert "too_similar" in _codes(
        check_reply(message=MSG, reply=GOOD, playbook=bluebird, recent_replies=earlier)
    )
    other = ["Hello Ben, thanks so much for the lovely words about Tom and the cardamom bun!"]
    assert "too_similar" not in _codes(
        check_reply(message=MSG, reply=GOOD, playbook=bluebird, recent_replies=other)
    )


def test_checker_accepts_every_approved_wording_of_a_fact(bluebird) -> None:
    faq = next(f for f in bluebird.facts.faq if f.id == "hours")
    assert len(faq.answer["en"]) > 1
    for wording in faq.answer["en"]:
        assert check_reply(message="When are you open?", reply=f"Hi! {wording}", playbook=bluebird) == []


def test_checker_tells_mentioning_a_refund_from_offering_one(bluebird) -> None:
    msg = "Where is my refund for the Monthly Beans subscription?"
    fine = "Hi, we're checking your refund for the Monthly Beans subscription today."
    assert "unauthorised_compensation" not in _codes(check_reply(message=msg, reply=fine, playbook=bluebird))
    offer = "Hi, we'll refund you twice the amount for the Monthly Beans subscription."
    assert "unauthorised_compensation" in _codes(check_reply(message=msg, reply=offer, playbook=bluebird))
