"""An answer said outside its form: asked back when it holds a value, else read as unplaced.

"萧山区的", "我家三口人，月收入两千" or "下周三上午" outside a form mean something
only to a form, so the assistant asks back ("您是想……吗？"). A message the
classifier took for such an answer but that holds nothing the form could read (no
district, amount, household fact, date, ID number or name: "我真爱听演唱") is not
an answer at all. Asking "您是想找养老机构吗？" about it would guess a service from
nothing; it is answered like any message no service claims: from the knowledge
base, with the office in charge, or with 没太明白.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Tracker

from actions.knowledge import answer_or_fall_back


async def answer_as_unplaced(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[dict[str, Any]]:
    """Reply as to a message no service claims; the citizen speaks next."""
    events = await answer_or_fall_back(dispatcher, tracker)
    return [*events, FollowupAction("action_listen")]
