"""A household described outside the pre-screen: start it, or ask back when 救助 is not named.

"我家三口人住在拱墅区，每月收入2000元，能申请低保吗" starts the pre-screen with those answers
(``volunteered``); "我家三口人，月收入两千" alone could mean anything, so it is asked back first.
A message with no household fact in it at all is no description (``actions.context_answers``);
nor is one about another department's business though it names a fact ("家里有辆车，公积金怎么提取"
names a car, and 公积金 is the housing fund's): it is told which department handles it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.confirm_service import ask_back, service_candidate
from actions.context_answers import answer_as_unplaced
from actions.knowledge import knowledge_reply_kind
from actions.prescreen.volunteered import tells_household_facts

START_INTENT = "request_prescreen"


class ActionCheckPrescreenContext(Action):
    """Lets the pre-screen start, or asks back when nothing says it is about assistance."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_check_prescreen_context"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Nothing (the pre-screen follows), or the ask-back question and the citizen's turn."""
        if service_candidate(tracker):
            text = str(tracker.latest_message.get("text") or "")
            if not tells_household_facts(text) or knowledge_reply_kind(tracker) == "other_agency":
                return await answer_as_unplaced(dispatcher, tracker)
            return ask_back(dispatcher, START_INTENT)
        return []
