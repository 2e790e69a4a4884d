"""Lunar dates converted to the calendar, offline, with ``jionlp`` (imported on first use)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from functools import cache
from typing import Any

__all__ = ["load_jionlp", "lunar_to_solar"]


@cache
def lunar_to_solar(year: int, month: int, day: int) -> dt.date:
    """Convert a lunar date (not in a leap month) to the Gregorian calendar, offline.

    Args:
        year: Lunar year (the Gregorian year its first month starts in).
        month: Lunar month, 1–12.
        day: Lunar day, 1–30.

    Returns:
        The Gregorian date.

    Raises:
        ValueError: When the lunar date does not exist or is outside jionlp's table.
    """
    try:
        solar = load_jionlp().lunar2solar(year, month, day, False)
    except Exception as error:  # jionlp raises bare Exceptions for unknown dates
        raise ValueError(f"no such lunar date: {year}-{month}-{day}") from error
    return dt.date(solar.year, solar.month, solar.day)


@cache
def load_jionlp() -> Any:
    """Import jionlp on first use, without its banner on stdout."""
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp

    return jionlp
