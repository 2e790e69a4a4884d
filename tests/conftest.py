"""Shared fixtures: the live stack is started once per test run and only when a test needs it.

It starts in the background as soon as the tests are collected (its Rasa loads the model while
the tests that need no stack run: those modules go first), and every module that asks for
`live_stack` shares it. Modules that kill processes or change settings start their own stack.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
import time
from collections.abc import Iterator

import pytest

from backoffice.login_throttle import get_login_throttle
from core.settings import get_settings
from testkit.stack import LiveStack
from testkit.stack_basics import free_port
from tests.service_token import UNIT_SERVICE_TOKEN
from zhtext import city_time


@pytest.fixture(scope="session", autouse=True)
def local_secrets_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Generated secrets (core/local_secrets.py) go to a throw-away file, never to ~/.config."""
    patch = pytest.MonkeyPatch()
    path = tmp_path_factory.mktemp("config") / "secrets.env"
    patch.setenv("MINZHENG_SECRETS_FILE", str(path))
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def unit_service_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """The records API refuses every call without a token: unit tests send this one."""
    monkeypatch.setattr(get_settings(), "service_token", UNIT_SERVICE_TOKEN)


@pytest.fixture(autouse=True)
def fresh_login_throttle() -> Iterator[None]:
    """Wrong passwords of one test do not slow down the next (backoffice/login_throttle.py)."""
    get_login_throttle.cache_clear()
    yield
    get_login_throttle.cache_clear()


@pytest.fixture
def utc_server_near_midnight(monkeypatch: pytest.MonkeyPatch) -> Iterator[dt.date]:
    """The server's clock on UTC at 16:30 (00:30 the next day in Hangzhou); yields Hangzhou's date.

    Code that takes the server's local date gets the day before.
    """
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    utc_day = dt.datetime.now(dt.UTC).date()
    moment = dt.datetime.combine(utc_day, dt.time(16, 30), tzinfo=dt.UTC)
    monkeypatch.setattr(city_time, "utc_now", lambda: moment)
    yield utc_day + dt.timedelta(days=1)
    monkeypatch.undo()
    time.tzset()


def channel_test_env() -> dict[str, str]:
    """Test credentials for channels whose routes exist only when configured.

    WeChat: the stack's WECHAT_API_BASE points at a port reserved here, where
    tests/connectors/wechat/test_wechat_e2e.py starts its fake WeChat server.
    """
    return {
        "WECHAT_TOKEN": "minzheng_wx_token",
        "WECHAT_APP_ID": "wx1234567890abcdef",
        "WECHAT_APP_SECRET": "test-app-secret-0123456789",
        "WECHAT_ENCODING_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        "WECHAT_API_BASE": f"http://127.0.0.1:{free_port()}",
    }


class SharedStack:
    """The session's live stack, started in a thread so that the tests before it need not wait.

    The desk has no office hours (HANDOFF_DUTY_ONLY): a test or script that needs staff switches
    on duty (testkit.staff_desk), one that needs the desk closed leaves it off, whatever the hour.
    """

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._context: contextlib.AbstractContextManager[LiveStack] | None = None
        self._stack: LiveStack | None = None
        self._error: BaseException | None = None

    def begin(self) -> None:
        """Start it in the background (once), with the environment as it is now."""
        if self._thread is not None:
            return
        env = {**channel_test_env(), "HANDOFF_DUTY_ONLY": "true"}
        self._context = LiveStack.start(extra_env=env, base_env=dict(os.environ))
        self._thread = threading.Thread(target=self._enter, name="live-stack", daemon=True)
        self._thread.start()

    def _enter(self) -> None:
        assert self._context is not None
        try:
            self._stack = self._context.__enter__()
        except BaseException as error:  # raised again in the test that asks for the stack
            self._error = error

    def get(self) -> LiveStack:
        """The running stack: waits for the start begun after collection (or begins it)."""
        self.begin()
        assert self._thread is not None
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._stack is not None
        return self._stack

    def end(self) -> None:
        """Stop it and delete its data (waits for a start still going on)."""
        if self._thread is None:
            return
        self._thread.join()
        context, stack = self._context, self._stack
        self._thread = self._context = self._stack = None
        if context is not None and stack is not None:
            context.__exit__(None, None, None)


SHARED_STACK = SharedStack()


def uses_live_stack(item: pytest.Item) -> bool:
    return "live_stack" in getattr(item, "fixturenames", ())


def start_early(items: list[pytest.Item]) -> bool:
    """Start the stack right after collection: a selected test needs it and none is `production`.

    A production-marked test (its own production stack, faults observed under load) does not
    run while the shared stack loads its model.
    """
    if not any(uses_live_stack(item) for item in items):
        return False
    return not any(item.get_closest_marker("production") for item in items)


@pytest.hookimpl(trylast=True)  # after `-m` deselected what does not run
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """When the stack starts early, the modules that need no live stack run first, meanwhile.

    Whole modules move (their module fixtures are set up once); the order within each group is
    kept.
    """
    if not start_early(items):
        return
    stack_modules = {getattr(item, "module", None) for item in items if uses_live_stack(item)}
    items.sort(key=lambda item: getattr(item, "module", None) in stack_modules)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Begin starting the live stack once the selected tests are known."""
    if not session.config.option.collectonly and start_early(session.items):
        SHARED_STACK.begin()


def pytest_sessionfinish() -> None:
    SHARED_STACK.end()


@pytest.fixture(scope="session")
def live_stack() -> Iterator[LiveStack]:
    """Rasa, the action server and the web app on free ports, with a fresh database (shared)."""
    yield SHARED_STACK.get()
    SHARED_STACK.end()
