"""Audit log of staff and editors: every login attempt and every state-changing staff action.

One JSON line per event on the `minzheng.audit` logger (the process log; a deployment ships it
to its log store). Passwords and tokens are never logged; a user name is logged as typed only
when the login succeeded (a failed one may be a password typed into the wrong field), else as a
short digest that still lets repeated attempts be matched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import sys
from functools import lru_cache


@lru_cache(maxsize=1)
def _logger() -> logging.Logger:
    """The audit logger; it prints at INFO even where the process log shows only warnings."""
    audit_logger = logging.getLogger("minzheng.audit")
    if not audit_logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("AUDIT %(message)s"))
        audit_logger.addHandler(handler)
        audit_logger.propagate = False
    audit_logger.setLevel(logging.INFO)
    return audit_logger


def name_digest(username: str) -> str:
    """A short, stable digest of a user name that failed to log in."""
    return hashlib.sha256(username.strip().lower().encode("utf-8")).hexdigest()[:12]


def audit(event: str, **fields: object) -> None:
    """Log one audit event (`login_ok`, `login_failed`, `login_throttled`, `staff_action` …)."""
    record: dict[str, object] = {
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "event": event,
        **fields,
    }
    _logger().info("%s", json.dumps(record, ensure_ascii=False, default=str))
