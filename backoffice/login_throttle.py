"""Login throttle: a growing wait after wrong passwords, per user name and per client IP.

The failures are counted by the one failure counter of the back office (`LookupGuard`, shared
through Redis when `REDIS_URL` is set), under their own keys and window. The first
`FREE_ATTEMPTS` failures of a user name (`FREE_ATTEMPTS_PER_IP` of an IP: colleagues behind one
office gateway share it) cost nothing; after that every further attempt must wait
`BASE_WAIT_SECONDS` × 2^(failures − free attempts) after the last failure, at most
`MAX_WAIT_SECONDS`. A throttled attempt is refused without checking the password and is not
counted (so a stranger cannot push a colleague's wait further by hammering it). A successful
login forgets the failures of its user name, not those of the IP.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import lru_cache

from redis import Redis

from backoffice.lookup_guard import LookupGuard
from core.settings import get_settings

FREE_ATTEMPTS = 5
FREE_ATTEMPTS_PER_IP = 20
BASE_WAIT_SECONDS = 2.0
MAX_WAIT_SECONDS = 900.0
WINDOW_SECONDS = 3600.0
# The guard's own block is not used: the wait grows instead.
NEVER_BLOCKED = 10**9


def login_keys(realm: str, username: str, ip: str) -> tuple[str, str]:
    """The throttle keys of one login attempt: (user name, client IP) within `realm`."""
    return f"login:{realm}:user:{username.strip().lower()}", f"login:ip:{ip}"


def wait_after(failures: int, free: int = FREE_ATTEMPTS) -> float:
    """Seconds to wait after the last of `failures` failures (0 while attempts are free)."""
    if failures < free:
        return 0.0
    return min(BASE_WAIT_SECONDS * 2.0 ** (failures - free), MAX_WAIT_SECONDS)


class LoginThrottle:
    """Decides whether a login attempt may go ahead.

    Args:
        guard: Where the failures are counted.
        clock: Seconds (the guard's clock; tests pass a fake one).
    """

    def __init__(self, guard: LookupGuard, clock: Callable[[], float] = time.time) -> None:
        self._guard = guard
        self._clock = clock

    def retry_after(self, user_key: str, ip_key: str) -> int:
        """Whole seconds until an attempt with these keys is allowed (0: now)."""
        now = self._clock()
        user_times, ip_times = self._guard.failure_times(user_key, ip_key)
        waits = [
            times[-1] + wait_after(len(times), free) - now
            for times, free in ((user_times, FREE_ATTEMPTS), (ip_times, FREE_ATTEMPTS_PER_IP))
            if times
        ]
        longest = max(waits, default=0.0)
        return math.ceil(longest) if longest > 0 else 0

    def failed(self, user_key: str, ip_key: str) -> None:
        """Count a wrong user name or password against both keys."""
        self._guard.record_failure(user_key, ip_key)

    def succeeded(self, user_key: str) -> None:
        """Forget the failures of the user who just logged in."""
        self._guard.clear(user_key)


@lru_cache(maxsize=1)
def get_login_throttle() -> LoginThrottle:
    """The throttle of this process (Redis-backed when `REDIS_URL` is set)."""
    settings = get_settings()
    if not settings.redis_url:
        return LoginThrottle(LookupGuard(max_failures=NEVER_BLOCKED, window_seconds=WINDOW_SECONDS))
    client = Redis.from_url(settings.redis_url, socket_timeout=1.0, socket_connect_timeout=1.0)
    guard = LookupGuard(
        redis=client,
        prefix=f"{settings.redis_key_prefix}:login:",
        max_failures=NEVER_BLOCKED,
        window_seconds=WINDOW_SECONDS,
    )
    return LoginThrottle(guard)
