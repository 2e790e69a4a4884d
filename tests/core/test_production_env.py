"""Deriving the Rasa replicas' endpoint variables from DATABASE_URL and REDIS_URL."""

from __future__ import annotations

import pytest

from core.production_env import ProductionEnvError, production_env, redis_parts

BASE = {
    "DATABASE_URL": "postgresql+psycopg://mz:s3cret@db.internal:6543/minzheng",
    "REDIS_URL": "redis://:redispw@cache.internal:6380/2",
}


def test_everything_is_derived_from_the_two_urls() -> None:
    assert production_env(BASE) == {
        "RASA_TRACKER_DB_HOST": "db.internal",
        "RASA_TRACKER_DB_PORT": "6543",
        "RASA_TRACKER_DB_NAME": "minzheng_rasa",
        "RASA_TRACKER_DB_USER": "mz",
        "RASA_TRACKER_DB_PASSWORD": "s3cret",
        "RASA_LOCK_REDIS_HOST": "cache.internal",
        "RASA_LOCK_REDIS_PORT": "6380",
        "RASA_LOCK_REDIS_DB": "2",
        "RASA_LOCK_REDIS_PASSWORD": "redispw",
        "REDIS_KEY_PREFIX": "minzheng",
        "TICKET_LOCK_LIFETIME": "10",
    }


def test_variables_already_set_win() -> None:
    env = production_env(
        {
            **BASE,
            "RASA_TRACKER_DB_NAME": "tracker",
            "RASA_TRACKER_DB_HOST": "other",
            "REDIS_KEY_PREFIX": "stage2",
            "TICKET_LOCK_LIFETIME": "30",
        }
    )
    assert env["TICKET_LOCK_LIFETIME"] == "30"
    assert env["RASA_TRACKER_DB_NAME"] == "tracker"
    assert env["RASA_TRACKER_DB_HOST"] == "other"
    assert env["RASA_TRACKER_DB_PORT"] == "6543"
    assert env["REDIS_KEY_PREFIX"] == "stage2"


def test_local_defaults() -> None:
    assert redis_parts("redis://127.0.0.1:6379") == {
        "host": "127.0.0.1",
        "port": "6379",
        "db": "0",
        "password": "",
    }


@pytest.mark.parametrize(
    "env",
    [
        {**BASE, "DATABASE_URL": "sqlite:///var/backoffice.db"},
        {**BASE, "REDIS_URL": ""},
        {**BASE, "REDIS_URL": "redis://127.0.0.1:6379/x"},
        {**BASE, "REDIS_KEY_PREFIX": "mz-test"},
    ],
)
def test_non_production_settings_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(ProductionEnvError):
        production_env(env)
