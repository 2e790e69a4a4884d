"""The marriage booking summary: confirming books (once), corrections, the reply after booking."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.clients.marriage import MarriageApi
from actions.marriage import booking as booking_actions
from actions.marriage import common as s
from actions.marriage.parsing import is_affirmation, parse_correction
from backoffice.records.marriage import models
from core.sealing import SEALED_PREFIX, seal, unseal
from testkit.trackers import EMPTY_DOMAIN, make_tracker
from tests.actions.marriage_support import answer, bookable, filled, make_id, md, responses, run
from tests.actions.marriage_support import api as api
from tests.actions.marriage_support import app as app
from tests.actions.marriage_support import factory as factory
from zhtext.normalise import normalise


def test_confirmation_books_and_corrections_change_one_answer(
    api: MarriageApi, factory: sessionmaker[Session]
) -> None:
    new_day = bookable(4)
    changes, _ = answer(f"日期改成{md(new_day)}", filled())
    assert changes[s.DATE] == new_day.isoformat()
    assert changes[s.CONFIRMED] is None

    changes, messages = answer("/deny", filled(), intent="deny")
    assert responses(messages) == ["utter_marriage_ask_which_field"]
    assert changes[s.CHOOSING_FIELD] is True
    dispatcher = CollectingDispatcher()
    asked = run(
        booking_actions.ActionAskMarriageConfirmed().run(
            dispatcher, make_tracker(slots={**filled(), **changes}), EMPTY_DOMAIN
        )
    )
    assert dispatcher.messages == [], "the field buttons are the question, no summary now"
    assert SlotSet(s.CHOOSING_FIELD, None) in asked
    changes, _ = answer("修改联系电话", filled())
    assert changes[s.PHONE] is None

    changes, messages = answer("/affirm", filled(), intent="affirm")
    assert changes[s.CONFIRMED] is True
    reference = changes[s.REFERENCE]
    with factory() as session:
        stored = session.scalar(select(models.MarriageBooking))
        assert stored is not None and stored.reference == reference
        assert stored.status == "booked"


def test_the_reply_after_booking_has_reference_address_and_documents(api: MarriageApi) -> None:
    slots = filled()
    changes, _ = answer("确认", slots, intent="affirm")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={**slots, **changes})
    events = run(
        booking_actions.ActionCompleteMarriageBooking().run(dispatcher, tracker, EMPTY_DOMAIN)
    )
    booked, *rest = dispatcher.messages
    assert booked["response"] == "utter_marriage_booked"
    assert booked["reference"] == changes[s.REFERENCE]
    assert booked["address"] and booked["hours"]
    documents = next(m for m in rest if m["response"] == "utter_marriage_documents")
    assert "身份证" in documents["documents"] and "户口簿" not in documents["documents"]
    assert "utter_marriage_sample_office" in responses(rest)
    assert SlotSet(s.PHONE, None) in events
    assert SlotSet(s.REFERENCE, changes[s.REFERENCE]) in events


def test_the_summary_masks_personal_data(api: MarriageApi) -> None:
    slots = filled()
    dispatcher = CollectingDispatcher()
    run(
        booking_actions.ActionAskMarriageConfirmed().run(
            dispatcher, make_tracker(slots=slots), EMPTY_DOMAIN
        )
    )
    summary = dispatcher.messages[0]
    assert summary["party1_name"] == "张*"
    assert summary["party1_id"] == slots[s.PARTY1_ID][:4] + "*" * 10 + slots[s.PARTY1_ID][-4:]
    assert summary["phone"] == "138****5678"


def test_id_numbers_stay_sealed_in_slots_and_reach_the_booking_in_clear(
    api: MarriageApi, factory: sessionmaker[Session]
) -> None:
    # The tracker store must not keep raw ID numbers: the slot holds a ciphertext only.
    number = make_id(male=False)
    changes, _ = answer(number, {"requested_slot": s.PARTY2_ID, s.BUSINESS_TYPE: "reissue"})
    assert changes[s.PARTY2_ID].startswith(SEALED_PREFIX)
    assert number not in changes[s.PARTY2_ID]
    assert unseal(changes[s.PARTY2_ID]) == number

    party1 = make_id(male=True)
    slots = filled(**{s.PARTY1_ID: seal(party1)})
    changes, _ = answer(party1, {**slots, "requested_slot": s.PARTY2_ID})
    assert changes[s.PARTY2_ID] is None, "a sealed earlier answer is still compared"

    changes, _ = answer("/affirm", slots, intent="affirm")
    assert changes[s.CONFIRMED] is True
    with factory() as session:
        stored = session.scalar(select(models.MarriageBooking))
        assert stored is not None and stored.party1_id_number == party1


def no_booking(changes: dict[str, Any]) -> bool:
    return changes.get(s.CONFIRMED) is not True and s.REFERENCE not in changes


@pytest.mark.parametrize(
    "text",
    ["确认", "确定", "对的", "是的", "没问题", "好的", "可以", "好", "嗯嗯 确认预约", "对，就这样"],
)
def test_whole_message_confirmations_book(text: str, api: MarriageApi) -> None:
    assert is_affirmation(text)
    changes, _ = answer(text, filled(), intent="affirm")
    assert changes[s.CONFIRMED] is True and changes[s.REFERENCE]


def test_traditional_confirmation_books_once_normalised(api: MarriageApi) -> None:
    text = normalise("確認", max_chars=500).text  # the gateway does this before Rasa
    assert is_affirmation(text)
    changes, _ = answer(text, filled(), intent="affirm")
    assert changes[s.CONFIRMED] is True


@pytest.mark.parametrize("text", ["可以周末去吗？", "可以带孩子吗？", "对方要到场吗", "对方叫王强"])
@pytest.mark.parametrize("intent", ["affirm", "inform_marriage_details", "nlu_fallback"])
def test_a_side_question_at_the_summary_never_books(
    text: str, intent: str, api: MarriageApi, factory: sessionmaker[Session]
) -> None:
    assert not is_affirmation(text)
    changes, _ = answer(text, filled(), intent=intent)
    assert no_booking(changes), changes
    with factory() as session:
        assert session.scalar(select(models.MarriageBooking)) is None


def test_a_question_at_the_summary_goes_to_the_knowledge_base(api: MarriageApi) -> None:
    for intent in ("ask_policy_question", "nlu_fallback"):
        changes, messages = answer("可以带孩子吗？", filled(), intent=intent)
        assert changes == {} and messages == [], "no events: the rule answers, the form resumes"
    assert (
        not is_affirmation("好吗") and not is_affirmation("不确定") and not is_affirmation("不对")
    )


def test_phone_words_win_over_number_words_in_corrections(api: MarriageApi) -> None:
    phone = parse_correction("电话号码改成13912345678")
    assert phone is not None and (phone.field, phone.new_text) == ("phone", "13912345678")
    mobile = parse_correction("手机号码写错了")
    assert mobile is not None and mobile.field == "phone"
    contact = parse_correction("联系方式改一下")
    assert contact is not None and contact.field == "phone"
    id_card = parse_correction("身份证号码改一下")
    assert id_card is not None and id_card.field == "id"
    changes, _ = answer("电话号码改成13912345678", filled())
    assert changes[s.PHONE] == "13912345678"
    assert changes[s.CONFIRMED] is None
    assert s.PARTY1_ID not in changes and s.PARTY2_ID not in changes
