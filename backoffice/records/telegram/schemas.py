"""API shapes of the Telegram records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict


class FailedSendOut(BaseModel):
    """An outgoing Telegram message that failed (for the supervisor)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    chat_id: str
    text: str
    reply_markup: dict[str, Any] | None
    error: str
    attempts: int
    status: str
    created_at: dt.datetime
    resent_at: dt.datetime | None
