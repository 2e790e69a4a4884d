"""The production profile refuses to start with empty, placeholder or shared secrets."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from backoffice.records.donation.settings import get_donation_settings
from backoffice.records.handoff.settings import get_handoff_settings
from backoffice.secrets import backoffice_secrets, main
from core.secrets_check import (
    InsecureSecretsError,
    NamedSecret,
    check_secrets,
    secret_problem,
)
from core.settings import Settings

STRONG = {
    "SERVICE_TOKEN": "Zq8vN2mR5tLx0cWb7yKf3hJd9pGs4aEu",
    "SLOT_SEALING_KEY": "bQhV2ZsH6yq3Yk8mXy0eY1b9cTnWkq1bqkF8T4d0sXQ=",
    "HANDOFF_SESSION_SECRET": "Hq1wE4rT7yU0iO3pA6sD9fG2hJ5kL8zX",
    "EDITOR_TOKEN": "Mn6bV3cX0zL9kJ7hG5fD2sA4qW8eR1tY",
    "RASA_TOKEN": "Rt5yU8iO1pA4sD7fG0hJ3kL6zX9cV2bN",
    "ACTION_SERVER_TOKEN": "Ax7cV0bN3mQ6wE9rT2yU5iO8pA1sD4fG",
}


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in (
        *STRONG,
        "DONATION_PAYMENT_SECRET",
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_MODE",
        "TELEGRAM_WEBHOOK_SECRET",
        "WECHAT_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in STRONG.items():
        monkeypatch.setenv(name, value)
    get_handoff_settings.cache_clear()
    get_donation_settings.cache_clear()
    yield
    get_handoff_settings.cache_clear()
    get_donation_settings.cache_clear()


def production(**overrides: str) -> Settings:
    return Settings(profile="production", _env_file=None, **overrides)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "is empty"),
        ("change-me", "looks like a placeholder"),
        ("please-change-this-to-a-long-random-value", "looks like a placeholder"),
        ("secret", "looks like a placeholder"),
        ("password1234567890password1234567890", "looks like a placeholder"),
        ("Default-Secret-Value-For-Our-Deployment", "looks like a placeholder"),
        ("aB3dE5gH7jK9", "is shorter than 32 characters"),
        ("abababababababababababababababab", "has too few distinct characters"),
        (STRONG["SERVICE_TOKEN"], None),
    ],
)
def test_secret_problems(value: str, problem: str | None) -> None:
    assert secret_problem(NamedSecret("SERVICE_TOKEN", value)) == problem


def test_embedded_profile_is_not_checked() -> None:
    check_secrets(Settings(service_token="", _env_file=None), role="web")


def test_production_with_strong_distinct_secrets_starts() -> None:
    check_secrets(production(), role="web", features=backoffice_secrets())
    check_secrets(production(), role="action server")


def test_placeholder_service_token_is_refused_naming_the_variable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR), pytest.raises(InsecureSecretsError) as raised:
        check_secrets(production(service_token="change-me"), role="action server")
    assert "SERVICE_TOKEN looks like a placeholder" in str(raised.value)
    assert "SERVICE_TOKEN looks like a placeholder" in caplog.text
    assert "production profile" in caplog.text


def test_missing_session_secret_is_refused_for_the_web_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HANDOFF_SESSION_SECRET")
    get_handoff_settings.cache_clear()
    with pytest.raises(InsecureSecretsError, match="HANDOFF_SESSION_SECRET is empty"):
        check_secrets(production(), role="web", features=backoffice_secrets())
    # The action server does not need the staff session secret.
    check_secrets(production(), role="action server")


def test_the_same_secret_for_two_roles_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITOR_TOKEN", STRONG["SERVICE_TOKEN"])
    with pytest.raises(InsecureSecretsError, match="EDITOR_TOKEN is the same value as SERVICE"):
        check_secrets(production(), role="web", features=backoffice_secrets())


def test_feature_secrets_are_checked_only_when_the_feature_is_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    check_secrets(production(telegram_bot_token="123:abc", telegram_mode="polling"), role="web")
    with pytest.raises(InsecureSecretsError, match="TELEGRAM_WEBHOOK_SECRET is empty"):
        check_secrets(production(telegram_bot_token="123:abc", telegram_mode="webhook"), role="web")
    with pytest.raises(InsecureSecretsError, match="WECHAT_TOKEN"):
        check_secrets(production(wechat_token="token"), role="web")
    check_secrets(production(wechat_token="Wx7Kd2Pq9Lm4Rt6Z"), role="web")
    monkeypatch.setenv("DONATION_PAYMENT_SECRET", "replace-me")
    get_donation_settings.cache_clear()
    with pytest.raises(InsecureSecretsError, match="DONATION_PAYMENT_SECRET"):
        check_secrets(production(), role="web", features=backoffice_secrets())


def test_the_sealing_key_must_be_a_fernet_key() -> None:
    with pytest.raises(InsecureSecretsError, match="SLOT_SEALING_KEY is not a Fernet key"):
        check_secrets(
            production(slot_sealing_key="Hq1wE4rT7yU0iO3pA6sD9fG2hJ5kL8zXq"), role="action server"
        )
    # The web app does not seal slots.
    check_secrets(production(slot_sealing_key=""), role="web")


def test_the_web_app_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from web.main import create_app

    with pytest.raises(InsecureSecretsError, match="SERVICE_TOKEN is empty"):
        create_app(production(service_token=""))


def test_the_action_server_refuses_on_its_first_backoffice_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from actions.clients import backoffice

    monkeypatch.setattr(backoffice, "get_settings", lambda: production(service_token="secret"))
    backoffice.get_transport.cache_clear()
    try:
        with pytest.raises(InsecureSecretsError, match="SERVICE_TOKEN"):
            backoffice.get_transport()
    finally:
        backoffice.get_transport.cache_clear()


def test_command_line_exit_status(monkeypatch: pytest.MonkeyPatch) -> None:
    from backoffice import secrets

    monkeypatch.setattr(secrets, "get_settings", lambda: production())
    assert main() == 0
    monkeypatch.setattr(secrets, "get_settings", lambda: production(editor_token=""))
    assert main() == 1
