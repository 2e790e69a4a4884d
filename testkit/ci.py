"""What a test does when a server it needs (PostgreSQL, Redis) is missing."""

from __future__ import annotations

import os

import pytest


def server_missing(message: str) -> None:
    """Fail under CI (`CI` set: the production profile must really be tested there), else skip."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
