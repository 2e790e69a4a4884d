from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.record_reminder import ActionRemindRecordMade
from testkit.trackers import EMPTY_DOMAIN, make_tracker


def action(name: str) -> dict[str, object]:
    return {"event": "action", "name": name}


AFFIRM = {"event": "user", "text": "确认", "parse_data": {"intent": {"name": "affirm"}}}


async def remind(
    events: list[dict[str, object]], slots: dict[str, object]
) -> list[dict[str, object]]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([*events, action("action_listen"), AFFIRM], slots=slots)
    await ActionRemindRecordMade().run(dispatcher, tracker, EMPTY_DOMAIN)
    return dispatcher.messages


async def test_a_marriage_booking_made_is_named_with_its_reference() -> None:
    [message] = await remind(
        [action("action_complete_marriage_booking")],
        {"marriage_reference": "HY-20261224-0002"},
    )
    assert message["response"] == "utter_marriage_confirmed_again"
    assert message["reference"] == "HY-20261224-0002"


async def test_the_latest_completing_action_decides_which_record() -> None:
    # A visit booked after an earlier marriage booking: the visit is what was just confirmed.
    [message] = await remind(
        [action("action_complete_marriage_booking"), action("action_book_facility_visit")],
        {"marriage_reference": "HY-20261224-0002", "eldercare_visit_reference": "YL-20261207-0001"},
    )
    assert message["response"] == "utter_eldercare_visit_confirmed_again"
    assert message["reference"] == "YL-20261207-0001"


async def test_a_pledge_that_was_not_made_gets_the_menu_not_an_old_reference() -> None:
    [message] = await remind(
        [action("action_submit_donation_pledge")], {"donation_pledge_made": None}
    )
    assert message["response"] == "utter_menu"
    assert "reference" not in message or not message.get("reference")
