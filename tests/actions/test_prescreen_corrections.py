"""Correcting a pre-screen answer: with or without a value or a field, or with no pre-screen."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.prescreen import screening, slots
from testkit.trackers import make_tracker, user_event
from tests.actions.prescreen_support import DOMAIN, FILLED, responses


async def correct(
    text: str, entities: list[dict[str, Any]] | None = None
) -> tuple[dict[str, Any], list[str]]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user_event(text, "correct_prescreen_answer", entities)], slots=FILLED)
    events = await screening.ActionCorrectPrescreenAnswer().run(dispatcher, tracker, DOMAIN)
    return {e["name"]: e["value"] for e in events}, responses(dispatcher)


async def test_a_correction_with_the_new_value_sets_it() -> None:
    changed, said = await correct("收入说错了，应该是三千")
    assert changed[slots.INCOME]["value"] == "3000"
    assert changed[slots.REFERENCE] is None
    assert said == ["utter_prescreen_corrected"]


async def test_a_correction_without_a_value_asks_that_item_again() -> None:
    changed, said = await correct("存款改一下")
    assert changed[slots.SAVINGS] is None
    assert said == ["utter_prescreen_correct_again"]


async def test_a_correction_without_a_field_asks_which() -> None:
    changed, said = await correct("我说错了")
    assert changed[slots.CORRECTION_PENDING] is True
    assert slots.INCOME not in changed
    assert said == []


async def test_a_correction_button_names_the_field() -> None:
    entity = [{"entity": "prescreen_field", "value": "household_size"}]
    changed, _ = await correct(
        '/correct_prescreen_answer{"prescreen_field": "household_size"}', entity
    )
    assert changed[slots.HOUSEHOLD_SIZE] is None


async def test_an_answer_mistaken_for_a_correction_answers_the_question() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        [user_event("一个月差不多两千五", "correct_prescreen_answer")],
        slots={slots.DISTRICT: "xihu", "requested_slot": slots.INCOME},
        active_loop="prescreen_form",
    )
    events = await screening.ActionCorrectPrescreenAnswer().run(dispatcher, tracker, DOMAIN)
    assert events == [
        SlotSet(slots.INCOME, {"status": "given", "value": "2500", "approximate": True,
                               "period": "month"})
    ]  # fmt: skip
    assert dispatcher.messages == []


async def test_a_correction_without_a_prescreen_asks_back() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user_event("请查询天津市到哈尔滨的车", "correct_prescreen_answer")])
    events = await screening.ActionCorrectPrescreenAnswer().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_confirm_request_prescreen"]
    assert events == [{"event": "followup", "name": "action_listen", "timestamp": None}]
