"""Looking up an application's status: identifiers, the stage, refusals that forget them."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.prescreen import status
from core.sealing import SEALED_PREFIX, seal, unseal
from testkit.trackers import make_tracker
from tests.actions.prescreen_support import DOMAIN, responses, use_api

APPLICATION = {
    "reference": "SQ-2026-000101",
    "programme": "dibao",
    "district_code": "xihu",
    "applicant_masked": "王**",
    "stage": "investigating",
    "submitted_on": "2026-11-10",
    "stage_updated_on": "2026-11-20",
    "sample": True,
}


@pytest.mark.parametrize(
    ("text", "value", "said"),
    [
        ("我的身份证是 330106 19580312 0026", "330106195803120026", []),
        ("330106195803120027", None, ["utter_prescreen_invalid_id_checksum"]),
        ("3301061958", None, ["utter_prescreen_invalid_id_length"]),
    ],
)
def test_id_number_validation(text: str, value: str | None, said: list[str]) -> None:
    dispatcher = CollectingDispatcher()
    result = status.ValidateApplicationStatusForm().validate_status_id_number(
        text, dispatcher, make_tracker(), DOMAIN
    )
    kept = result[status.ID_NUMBER]
    # A valid number is kept sealed: the tracker store never sees it in clear.
    assert unseal(kept) == value
    assert kept is None or (kept.startswith(SEALED_PREFIX) and "330106" not in kept)
    assert responses(dispatcher) == said


@pytest.mark.parametrize(
    ("text", "value", "said"),
    [
        ("138 0000 0001", "13800000001", []),
        ("12345", None, ["utter_prescreen_invalid_phone_service"]),
        ("138000", None, ["utter_prescreen_invalid_phone"]),
    ],
)
def test_phone_validation(text: str, value: str | None, said: list[str]) -> None:
    dispatcher = CollectingDispatcher()
    result = status.ValidateApplicationStatusForm().validate_status_phone(
        text, dispatcher, make_tracker(), DOMAIN
    )
    assert result == {status.PHONE: value}
    assert responses(dispatcher) == said


async def check_status(dispatcher: CollectingDispatcher, *, phone: str) -> list[EventType]:
    """Run the status look-up with a sealed ID number (as the form leaves it) and `phone`."""
    sealed_id = seal("330106195803120026")
    tracker = make_tracker(slots={status.ID_NUMBER: sealed_id, status.PHONE: phone})
    return await status.ActionCheckApplicationStatus().run(dispatcher, tracker, DOMAIN)


async def test_status_found_tells_the_stage_and_forgets_the_identifiers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json=APPLICATION)

    use_api(monkeypatch, status, handler)
    dispatcher = CollectingDispatcher()
    events = await check_status(dispatcher, phone="13800000001")
    assert sent == [{"id_number": "330106195803120026", "phone": "13800000001"}]
    [message] = dispatcher.messages
    assert message["response"] == "utter_prescreen_status_investigating"
    assert message["programme"] == "最低生活保障（低保）"
    assert message["district"] == "西湖区"
    assert events == [SlotSet(status.ID_NUMBER, None), SlotSet(status.PHONE, None)]


async def test_status_not_found_shows_only_the_masked_number(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_api(
        monkeypatch,
        status,
        lambda request: httpx.Response(
            404, json={"error": {"code": "application_not_found", "message": "没有找到"}}
        ),
    )
    dispatcher = CollectingDispatcher()
    await check_status(dispatcher, phone="13800000009")
    [message] = dispatcher.messages
    assert message["response"] == "utter_prescreen_status_not_found"
    assert message["id_masked"] == "3301**********0026"


async def test_too_many_lookups_are_refused_with_the_back_offices_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_api(
        monkeypatch,
        status,
        lambda request: httpx.Response(
            429, json={"error": {"code": "too_many_attempts", "message": "查询次数过多"}}
        ),
    )
    dispatcher = CollectingDispatcher()
    events = await check_status(dispatcher, phone="13800000009")
    assert [message.get("text") for message in dispatcher.messages] == ["查询次数过多"]
    assert events == [SlotSet(status.ID_NUMBER, None), SlotSet(status.PHONE, None)]


@pytest.mark.parametrize("code", [403, 500])
async def test_a_refused_or_failing_status_lookup_apologises_and_forgets_the_identifiers(
    monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    use_api(
        monkeypatch,
        status,
        lambda request: httpx.Response(
            code, json={"error": {"code": "refused", "message": "不能查询"}}
        ),
    )
    dispatcher = CollectingDispatcher()
    events = await check_status(dispatcher, phone="13800000009")
    assert responses(dispatcher) == ["utter_records_unavailable"]
    assert events == [SlotSet(status.ID_NUMBER, None), SlotSet(status.PHONE, None)]


async def test_status_is_never_looked_up_with_one_identifier(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise AssertionError("the back office must not be asked")

    use_api(monkeypatch, status, fail)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={status.ID_NUMBER: "330106195803120026"})
    await status.ActionCheckApplicationStatus().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_prescreen_status_needs_both"]
