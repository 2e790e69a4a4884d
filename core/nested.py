"""Nested JSON-like values (dicts, lists, strings, numbers) as read from YAML, JSON or slots."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def strings_in(value: Any) -> Iterator[str]:
    """Every string in `value`: itself, or the strings of its dict values and list items, in order.

    Keys and other scalars (numbers, booleans, None) are not strings of the value.
    """
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
