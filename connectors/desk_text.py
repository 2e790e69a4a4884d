"""What a citizen reads of a desk message on the text channels (Telegram, WeChat).

Both channels keep the two staff-reply texts in their own `messages.yml`; the rule that a staff
reply carries the staff member's display name is this one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class DeskMessageText(Protocol):
    """A stored desk message as far as its wording goes."""

    @property
    def kind(self) -> str:
        """The kind: "staff", "bot" or "status"."""
        ...

    @property
    def text(self) -> str:
        """The text."""
        ...

    @property
    def staff_name(self) -> str | None:
        """Display name of the staff member (staff messages)."""
        ...


def desk_text(message: DeskMessageText, channel_text: Callable[..., str]) -> str:
    """What the citizen reads: staff replies carry the staff member's display name.

    Args:
        message: The desk message.
        channel_text: The channel's texts (`staff_reply`, `staff_reply_anonymous`).
    """
    if message.kind == "staff":
        if message.staff_name:
            return channel_text("staff_reply", staff_name=message.staff_name, text=message.text)
        return channel_text("staff_reply_anonymous", text=message.text)
    return message.text
