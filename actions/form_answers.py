"""Answers the services read the same way, with the same kind of "what was wrong" reply.

A phone number is read by every form that asks for one (marriage, eldercare visits, donation,
the 转人工 call-back) with `zhtext.phone.parse_phone`; when it is not one, the form says why with
its own response for the reason (empty, a service number, the wrong length, the wrong format).
"""

from __future__ import annotations

from collections.abc import Mapping

from rasa_sdk.executor import CollectingDispatcher

from zhtext.phone import parse_phone


def read_phone(
    dispatcher: CollectingDispatcher, text: str, rejections: Mapping[str, str], default: str
) -> str | None:
    """The phone number in `text`; when there is none, say why and return None.

    Args:
        dispatcher: Where the reply goes.
        text: The citizen's answer.
        rejections: The form's response for each reason `parse_phone` gives.
        default: The response for a reason without its own.
    """
    phone = parse_phone(text)
    if phone.number is None:
        dispatcher.utter_message(response=rejections.get(str(phone.reason), default))
    return phone.number
