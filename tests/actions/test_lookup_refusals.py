"""The one try/except around a back-office call: refusal, outage, answer."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.backoffice import (
    TOO_MANY_ATTEMPTS,
    BackofficeError,
    BackofficeRejectedError,
)
from actions.lookup_refusals import ask_back_office, say_lookup_refused


async def answer(value: object) -> object:
    return value


async def fail(error: Exception) -> object:
    raise error


async def test_an_answer_is_returned_and_nothing_is_said() -> None:
    dispatcher = CollectingDispatcher()
    told: list[BackofficeRejectedError] = []
    assert await ask_back_office(dispatcher, answer("pledge"), told.append) == "pledge"
    assert dispatcher.messages == []
    assert told == []


async def test_a_refusal_is_told_by_the_caller_only() -> None:
    dispatcher = CollectingDispatcher()
    told: list[BackofficeRejectedError] = []
    refused = BackofficeRejectedError(404, "not_found", "没有找到")
    result = await ask_back_office(dispatcher, fail(refused), told.append)
    assert result is refused
    assert told == [refused]
    assert dispatcher.messages == []  # no "records unavailable" on top


async def test_an_unreachable_back_office_says_records_are_unavailable() -> None:
    dispatcher = CollectingDispatcher()
    told: list[BackofficeRejectedError] = []
    down = BackofficeError("POST /x: HTTP 503")
    result = await ask_back_office(dispatcher, fail(down), told.append)
    assert result is down
    assert told == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_records_unavailable"]


async def test_other_errors_are_not_swallowed() -> None:
    with pytest.raises(ValueError):
        await ask_back_office(CollectingDispatcher(), fail(ValueError("bug")), lambda error: None)


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (
            BackofficeRejectedError(TOO_MANY_ATTEMPTS, "too_many_attempts", "查询次数过多"),
            {"text": "查询次数过多"},
        ),
        (
            BackofficeRejectedError(TOO_MANY_ATTEMPTS, "too_many_attempts", ""),
            {"response": "utter_x_not_found", "reference": "R-1"},
        ),
        (
            BackofficeRejectedError(404, "not_found", "没有找到"),
            {"response": "utter_x_not_found", "reference": "R-1"},
        ),
    ],
)
def test_a_refused_lookup_says_the_throttling_message_else_the_response(
    error: BackofficeRejectedError, said: dict[str, str]
) -> None:
    dispatcher = CollectingDispatcher()
    say_lookup_refused(dispatcher, error, "utter_x_not_found", reference="R-1")
    [message] = dispatcher.messages
    assert {key: message.get(key) for key in said} == said
    assert message.get("text" if "response" in said else "response") is None
