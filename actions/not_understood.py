"""Not understood: ask to rephrase first; a second failure in a row offers 转人工 / hotline."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Tracker

ASK_REPHRASE = "utter_ask_rephrase"
# A message that means some benefit without saying which (knowledge.reply: ``vague_words``).
ASK_WHICH_BENEFIT = "utter_ask_which_benefit"
OFFER_HUMAN = "utter_offer_human"
FAILURE_RESPONSES = frozenset({ASK_REPHRASE, ASK_WHICH_BENEFIT, OFFER_HUMAN})


def user_turns(events: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Split the events into user turns: each turn is a user event and what followed it."""
    turns: list[list[dict[str, Any]]] = []
    for event in events:
        if event.get("event") == "user":
            turns.append([event])
        elif turns:
            turns[-1].append(event)
    return turns


def _failed(turn: list[dict[str, Any]]) -> bool:
    return any(
        event.get("event") == "bot"
        and (event.get("metadata") or {}).get("utter_action") in FAILURE_RESPONSES
        for event in turn
    )


def failures_in_a_row(tracker: Tracker) -> int:
    """How many turns in a row, the current one included, the assistant could not answer."""
    previous_turns = user_turns(tracker.events)[:-1]
    count = 1
    for turn in reversed(previous_turns):
        if not _failed(turn):
            break
        count += 1
    return count


def handle_not_understood(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, first: str = ASK_REPHRASE
) -> list[dict[str, Any]]:
    """First failure: `first` (ask to rephrase with the menu). Second in a row: offer a person."""
    dispatcher.utter_message(response=OFFER_HUMAN if failures_in_a_row(tracker) >= 2 else first)
    return []
