"""The brand's posted replies as suggestions: the other customer's details removed, checked, kept fresh."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import BASE_TIME, make_channel, make_conversation, make_message

from trustdesk.knowledge import archive
from trustdesk.knowledge.archive import deidentify
from trustdesk.respond import load_playbook

PLAYBOOK = load_playbook("bluebird")


def test_archive_deidentify_removes_the_other_customers_details():
    reply = ("Hi Sam, @samokoro thanks! I've refunded order BB-604118 (#88213) to sam.okoro@gmail.example; "
             "call 07700 900123 if not. Email care@bluebirdcoffee.example anytime, Sam. – Jess")  # fmt: skip
    out = deidentify(reply, names=["Sam Okoro"], handles=["samokoro"], playbook=PLAYBOOK)
    for detail in ("Sam", "samokoro", "604118", "88213", "sam.okoro", "07700", "900123", "Okoro"):
        assert detail not in out
    assert out.startswith("Hi, thanks!") and "care@bluebirdcoffee.example" in out and out.endswith("– Jess")


def _pair(session, channel, question: str, answer: str, *, author: str, handle: str, minutes: int):
    conv = make_conversation(session, channel=channel, last_message_at=BASE_TIME + timedelta(minutes=minutes))
    asked = make_message(session, conversation=conv, text=question, author_name=author, author_handle=handle)
    session.flush()
    make_message(session, conversation=conv, text=answer, direction="outbound", kind="reply", author_name="",
                 parent_id=asked.id, created_at=conv.last_message_at + timedelta(minutes=5))  # fmt: skip
    session.flush()
    return conv


def test_archive_suggests_a_similar_reply_without_its_customer_and_only_if_it_passes_the_checker(session):
    channel = make_channel(session, kind="facebook", name="facebook")
    brand_id = channel.brand_id
    _pair(session, channel, "Hi, my Rewards top-up went through twice (£20). Can you refund one? Sam Okoro",
          "Hi Sam, sorry about that! Email care@bluebirdcoffee.example with the date of the top-up and we'll refund "
          "the duplicate. Your reference BB-604118 is noted, @samokoro. – Jess",
          author="Sam Okoro", handle="samokoro", minutes=1)  # fmt: skip
    _pair(session, channel, "Rewards charged me twice for one top-up!",
          "Hi Nadia, we've refunded it and added a £50 voucher for the trouble.",
          author="Nadia Ahmed", handle="nadia", minutes=2)  # fmt: skip
    _pair(session, channel, "What time do you open on Sundays?", "Hi Brian, 08:00–17:00 at weekends!",
          author="Brian Lee", handle="brianl", minutes=3)  # fmt: skip
    assert archive.embed_pending(session=session) == 3
    assert archive.embed_pending(session=session) == 0  # safe to run twice
    found = archive.suggestions(session=session, brand_id=brand_id, playbook=PLAYBOOK, channel="facebook",
                                text="Bluebird Rewards charged my card twice for a top-up, please refund one")  # fmt: skip
    assert found, "the double-charge reply is offered"
    best = found[0]
    assert "refund the duplicate" in best.reply
    for detail in ("Sam", "samokoro", "604118", "Nadia"):
        assert all(detail not in s.reply for s in found)
    assert all("voucher" not in s.reply for s in found)  # an unauthorised offer never passes the checker
    assert all(not any(f.severity == "violation" for f in s.findings) for s in found)


def test_archive_index_takes_new_replies_and_forgets_another_brands(session):
    channel = make_channel(session, kind="facebook")
    other = make_channel(session, kind="facebook")
    _pair(session, channel, "Do you ship to Ireland?", "We do, across the UK and the EU!", author="Aoife Byrne",
          handle="aoife", minutes=1)  # fmt: skip
    _pair(session, other, "Do you ship to Ireland?", "Their brand's own answer.", author="X Y", handle="xy",
          minutes=2)  # fmt: skip
    archive.embed_pending(session=session)
    first = archive.archive_index(session=session, brand_id=channel.brand_id)
    assert len(first) == 1
    _pair(session, channel, "Can I pause my subscription?", "Yes: Account, then Monthly Beans.", author="Rocío Díaz",
          handle="rocio", minutes=3)  # fmt: skip
    archive.embed_pending(session=session)
    second = archive.archive_index(session=session, brand_id=channel.brand_id)
    assert second is first and len(second) == 2  # refreshed with the new row only
    texts = [s.reply for s in archive.suggestions(session=session, brand_id=channel.brand_id, playbook=PLAYBOOK,
                                                   text="Do you deliver to Ireland?")]  # fmt: skip
    assert "Their brand's own answer." not in texts
