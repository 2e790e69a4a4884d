"""What a WeChat message or event means for the assistant.

- text → the text; a voice message with WeChat's speech recognition (Recognition) → its text;
- location (Location_X = latitude, Location_Y = longitude, GCJ-02) → 找养老's shared-location
  payload and metadata (actions/eldercare/__init__.py), in WGS-84;
- menu click (event CLICK, EventKey = payload) → the payload;
- subscribe → "/greet" (greeting and the service menu);
- image, voice, video, shortvideo, file, link → a polite reply saying what is supported;
- everything else (unsubscribe, VIEW, SCAN, reported location …) → acknowledged, no reply.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any, Literal

from connectors.wechat.coordinates import gcj02_to_wgs84

GREET_PAYLOAD = "/greet"
SHARE_LOCATION_INTENT = "/share_location"
UNSUPPORTED_TYPES = frozenset({"image", "voice", "video", "shortvideo", "file", "link"})

Kind = Literal["route", "unsupported", "ignore"]


@dataclass(frozen=True)
class Inbound:
    """One incoming message, understood.

    Attributes:
        kind: "route" (send `text` to the assistant), "unsupported" (say what is supported) or
            "ignore" (acknowledge only).
        open_id: The citizen's OpenID (FromUserName).
        account: The official account's id (ToUserName), the sender of passive replies.
        dedup_key: Same for WeChat's retries of one message: MsgId, else OpenID + CreateTime.
        text: The text for the assistant.
        metadata: Message metadata for Rasa (a shared location).
        is_payload: `text` is a payload (menu, location, subscribe): never a choice number.
    """

    kind: Kind
    open_id: str
    account: str
    dedup_key: str
    text: str = ""
    metadata: dict[str, Any] | None = None
    is_payload: bool = False


def location_payload(lat: float, lon: float) -> tuple[str, dict[str, Any]]:
    """Message text and metadata of a shared WGS-84 location (both forms eldercare accepts)."""
    point = {"lat": round(lat, 6), "lon": round(lon, 6)}
    return f"{SHARE_LOCATION_INTENT}{json.dumps(point)}", {"location": point}


def dedup_key(fields: dict[str, str]) -> str:
    """The key WeChat's retries of one delivery share."""
    if fields.get("MsgId"):
        return f"msg:{fields['MsgId']}"
    return f"event:{fields.get('FromUserName', '')}:{fields.get('CreateTime', '')}"


def understand(fields: dict[str, str]) -> Inbound:
    """The meaning of one decrypted message (`fields`: the children of `<xml>`)."""
    base = Inbound(
        kind="ignore",
        open_id=fields.get("FromUserName", ""),
        account=fields.get("ToUserName", ""),
        dedup_key=dedup_key(fields),
    )
    msg_type = fields.get("MsgType", "")
    if msg_type == "text":
        return replace(base, kind="route", text=fields.get("Content", ""))
    if msg_type == "voice" and fields.get("Recognition", "").strip():
        return replace(base, kind="route", text=fields["Recognition"])
    if msg_type == "location":
        try:
            lat, lon = float(fields["Location_X"]), float(fields["Location_Y"])
        except (KeyError, ValueError):
            return replace(base, kind="unsupported")
        text, metadata = location_payload(*gcj02_to_wgs84(lat, lon))
        return replace(base, kind="route", text=text, metadata=metadata, is_payload=True)
    if msg_type in UNSUPPORTED_TYPES:
        return replace(base, kind="unsupported")
    if msg_type == "event":
        event = fields.get("Event", "").lower()
        if event == "subscribe":
            return replace(base, kind="route", text=GREET_PAYLOAD, is_payload=True)
        if event == "click" and fields.get("EventKey", "").strip():
            return replace(base, kind="route", text=fields["EventKey"].strip(), is_payload=True)
    return replace(base, kind="ignore")
