"""The pre-screen form's validators: district, residence, numbers, unsure and refused answers."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.prescreen import form, slots
from testkit.trackers import make_tracker, user_event
from tests.actions.prescreen_support import DOMAIN, responses


def validate(slot: str, text: str, **slot_values: Any) -> tuple[dict[str, Any], list[str]]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user_event(text, "describe_household")], slots=slot_values)
    method = getattr(form.ValidatePrescreenForm(), f"validate_{slot}")
    result = method(text, dispatcher, tracker, DOMAIN)
    return result, responses(dispatcher)


def test_district_by_name_and_the_former_district_notice() -> None:
    assert validate(slots.DISTRICT, "户口在西湖区")[0] == {slots.DISTRICT: "xihu"}
    result, said = validate(slots.DISTRICT, "下城区")
    assert result[slots.DISTRICT] == "gongshu"
    assert said == ["utter_prescreen_district_merged"]


def test_a_split_district_asks_which() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user_event("江干区", "describe_household")])
    result = form.ValidatePrescreenForm().validate_prescreen_district(
        "江干区", dispatcher, tracker, DOMAIN
    )
    assert result[slots.DISTRICT] is None
    [message] = dispatcher.messages
    assert [b["title"] for b in message["buttons"]] == ["上城区", "钱塘区"]


@pytest.mark.parametrize(
    ("text", "residence"),
    [
        ("外地户口，有杭州居住证", "permit"),
        ("外地户口，没有居住证", "none"),
        ("我是外地的", "outside"),
    ],
)
def test_residence_permit_answers(text: str, residence: str) -> None:
    result, said = validate(slots.DISTRICT, text)
    assert result == {slots.DISTRICT: None, slots.RESIDENCE: residence}
    assert said == []


def test_an_unknown_district_says_so() -> None:
    result, said = validate(slots.DISTRICT, "火星")
    assert result == {slots.DISTRICT: None}
    assert said == ["utter_prescreen_invalid_district"]


def test_unsure_about_a_number_first_asks_for_an_estimate_then_marks_it_unknown() -> None:
    first, said = validate(slots.INCOME, "不清楚")
    assert first[slots.INCOME] is None
    assert first[slots.UNSURE] == [slots.INCOME]
    assert said == ["utter_prescreen_estimate_amount"]
    second, said = validate(slots.INCOME, "真不知道", prescreen_unsure=[slots.INCOME])
    assert second[slots.INCOME] == {"status": "unknown", "value": None}
    assert said == ["utter_prescreen_marked_unknown"]


def test_unsure_about_household_size_explains_who_counts() -> None:
    _, said = validate(slots.HOUSEHOLD_SIZE, "不清楚")
    assert said == ["utter_prescreen_estimate_household_size"]


def test_refusing_marks_the_item_for_a_person() -> None:
    result, said = validate(slots.SAVINGS, "这个不方便透露")
    assert result == {slots.SAVINGS: {"status": "refused", "value": None}}
    assert said == ["utter_prescreen_marked_refused"]


async def test_no_income_with_a_salary_asks_which_is_right() -> None:
    result, _ = validate(slots.INCOME, "没收入，就我老公每月打零工两千")
    assert result == {slots.INCOME: None, slots.INCOME_CANDIDATE: "2000"}
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={slots.INCOME_CANDIDATE: "2000"})
    await form.ActionAskPrescreenIncome().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_prescreen_confirm_income"
    assert message["amount"] == "2,000"


def test_confirming_the_amount_takes_it() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user_event("对", "affirm")], slots={slots.INCOME_CANDIDATE: "2000"})
    result = form.ValidatePrescreenForm().validate_prescreen_income(
        "对", dispatcher, tracker, DOMAIN
    )
    assert result[slots.INCOME] == {"status": "given", "value": "2000"}


def test_a_yearly_income_is_echoed_per_month() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user_event("一年五万左右", "describe_household")])
    result = form.ValidatePrescreenForm().validate_prescreen_income(
        "一年五万左右", dispatcher, tracker, DOMAIN
    )
    assert result[slots.INCOME]["value"] == "4166.67"
    [message] = dispatcher.messages
    assert (message["yearly"], message["monthly"]) == ("50,000", "4,166.67")


def test_already_parsed_answers_pass_through() -> None:
    answer = {"status": "given", "value": 3}
    assert validate(slots.HOUSEHOLD_SIZE, "x")[0] != {slots.HOUSEHOLD_SIZE: answer}
    dispatcher = CollectingDispatcher()
    result = form.ValidatePrescreenForm().validate_prescreen_household_size(
        answer, dispatcher, make_tracker(), DOMAIN
    )
    assert result == {slots.HOUSEHOLD_SIZE: answer}


async def test_the_correction_field_is_asked_only_when_pending() -> None:
    validator = form.ValidatePrescreenForm()
    domain_slots = DOMAIN["forms"]["prescreen_form"]["required_slots"]
    dispatcher = CollectingDispatcher()
    normal = await validator.required_slots(domain_slots, dispatcher, make_tracker(), DOMAIN)
    assert slots.CORRECTION_FIELD not in normal
    pending = make_tracker(slots={slots.CORRECTION_PENDING: True})
    assert (await validator.required_slots(domain_slots, dispatcher, pending, DOMAIN))[0] == (
        slots.CORRECTION_FIELD
    )


@pytest.mark.parametrize(
    "slot",
    [
        slots.DISTRICT,
        slots.HOUSEHOLD_SIZE,
        slots.INCOME,
        slots.SAVINGS,
        slots.ASSETS,
        slots.CIRCUMSTANCES,
        slots.CORRECTION_FIELD,
    ],
)
def test_a_cleared_answer_is_not_complained_about(slot: str) -> None:
    dispatcher = CollectingDispatcher()
    method = getattr(form.ValidatePrescreenForm(), f"validate_{slot}")
    assert method(None, dispatcher, make_tracker(), DOMAIN) == {slot: None}
    assert dispatcher.messages == []


@pytest.mark.parametrize("text", ["不想说", "不清楚"])
def test_a_district_not_given_is_recorded_as_unknown(text: str) -> None:
    result, _ = validate(slots.DISTRICT, text)
    assert result == {slots.DISTRICT: slots.UNKNOWN_DISTRICT}
    tracker = make_tracker(slots={slots.DISTRICT: slots.UNKNOWN_DISTRICT})
    assert slots.household_facts(tracker)["district"] is None
