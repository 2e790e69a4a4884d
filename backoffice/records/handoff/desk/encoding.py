"""How desk messages are written for citizens' channels, staff pages and Server-Sent Events."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from backoffice.records.handoff.delivery import OutboundMessage
from backoffice.records.handoff.models import HandoffMessage
from backoffice.records.handoff.texts import citizen_text
from core.chat import BotMessage, Button


def outbound(message: HandoffMessage) -> OutboundMessage:
    """A stored message as a channel delivers it to the citizen."""
    return OutboundMessage(
        id=message.id,
        kind=message.kind,
        text=message.text,
        buttons=list(message.buttons or []),
        staff_name=message.staff_name,
    )


def message_json(message: HandoffMessage) -> dict[str, Any]:
    """A stored message as the staff console shows it (notes included)."""
    return {
        "id": message.id,
        "kind": message.kind,
        "text": message.text,
        "buttons": message.buttons or [],
        "staff_name": message.staff_name,
        "created_at": message.created_at.isoformat(),
    }


def bot_message(raw: dict[str, Any]) -> BotMessage:
    """One message of Rasa's answer to a triggered intent."""
    buttons = [
        Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
        for b in raw.get("buttons") or []
        if isinstance(b, dict)
    ]
    text = raw.get("text")
    return BotMessage(text=text if isinstance(text, str) else None, buttons=buttons)


def event_data(data: dict[str, Any]) -> str:
    """The `data:` of a Server-Sent Event (Chinese kept readable)."""
    return json.dumps(data, ensure_ascii=False)


def opening_text(moment: dt.datetime | None) -> str | None:
    """A local opening time as citizens read it (format in texts.yml)."""
    if moment is None:
        return None
    return citizen_text(
        "opening_format", month=moment.month, day=moment.day, time=f"{moment:%H:%M}"
    )
