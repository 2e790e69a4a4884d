"""The Redis server used by tests of the production profile, and throw-away key prefixes.

Redis comes from `TEST_REDIS_URL` (default: the local server). When it cannot be reached the test
is skipped, except under CI (`CI` set), where it fails: the production profile must really be
tested there (as testkit/databases.py does for PostgreSQL).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

from redis import Redis
from redis.exceptions import RedisError

from testkit.ci import server_missing

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_test_url() -> str:
    """The Redis server used for tests."""
    return os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)


def redis_unavailable(reason: str) -> None:
    """Fail under CI, skip elsewhere."""
    server_missing(f"Redis is not reachable at {redis_test_url()}: {reason}")


def unique_key_prefix() -> str:
    """A fresh key prefix (letters and digits only, as Rasa's lock store requires)."""
    return f"mztest{uuid.uuid4().hex[:12]}"


@contextlib.contextmanager
def fresh_redis_prefix() -> Iterator[tuple[str, str]]:
    """Check Redis answers, yield `(url, key_prefix)`, then delete the keys under the prefix."""
    url = redis_test_url()
    client = Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except RedisError as error:
        client.close()
        redis_unavailable(str(error))
    prefix = unique_key_prefix()
    try:
        yield url, prefix
    finally:
        with contextlib.suppress(RedisError):
            keys = list(client.scan_iter(match=f"{prefix}*"))
            if keys:
                client.delete(*keys)
        client.close()
