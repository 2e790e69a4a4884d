"""Shared fixtures: the live stack is started once per test run and only when a test needs it."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest

from backoffice.login_throttle import get_login_throttle
from core.settings import get_settings
from testkit.stack import LiveStack, free_port
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


@pytest.fixture(scope="session")
def live_stack() -> Iterator[LiveStack]:
    """Rasa, the action server and the web app on free ports, with a fresh database.

    The desk has no office hours (HANDOFF_DUTY_ONLY): a test or script that needs staff switches
    on duty (testkit.staff_desk), one that needs the desk closed leaves it off, whatever the hour.
    """
    env = {**channel_test_env(), "HANDOFF_DUTY_ONLY": "true"}
    with LiveStack.start(extra_env=env) as stack:
        yield stack
