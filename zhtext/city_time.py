"""The city's clock: "today" is the date in Hangzhou, whatever time zone the server runs in.

A server on UTC is still on yesterday's date until 08:00 in Hangzhou; every "today" of the
assistant (bookings, visits, pre-screening, conversation scripts) comes from `city_today`.
"""

from __future__ import annotations

import datetime as dt

# China has one time zone and no daylight saving: a fixed offset needs no tz database.
CITY_TIMEZONE = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def utc_now() -> dt.datetime:
    """The current moment (aware, UTC)."""
    return dt.datetime.now(dt.UTC)


def city_now() -> dt.datetime:
    """The current moment on Hangzhou's clock (aware)."""
    return utc_now().astimezone(CITY_TIMEZONE)


def city_today() -> dt.date:
    """Today's date in Hangzhou."""
    return city_now().date()
