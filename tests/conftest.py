"""Shared fixtures: the live stack is started once per test run and only when a test needs it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from testkit.stack import LiveStack


@pytest.fixture(scope="session")
def live_stack() -> Iterator[LiveStack]:
    """Rasa, the action server and the web app on free ports, with a fresh database."""
    with LiveStack.start() as stack:
        yield stack
