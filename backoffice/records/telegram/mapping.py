"""Telegram records → the API's schemas (used by the routes)."""

from __future__ import annotations

from backoffice.records.telegram.models import TelegramFailedSend
from backoffice.records.telegram.schemas import FailedSendOut


def failed_send_out(failed: TelegramFailedSend) -> FailedSendOut:
    """An outgoing message that could not be sent, as the supervisor sees it."""
    return FailedSendOut.model_validate(failed)
