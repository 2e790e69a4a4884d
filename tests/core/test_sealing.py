from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from core import sealing
from core.settings import get_settings

NUMBER = "330106199001011234"


@pytest.fixture(autouse=True)
def fresh_key_cache() -> None:
    sealing._fernet.cache_clear()


def test_sealed_values_hide_the_number_and_open_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "slot_sealing_key", Fernet.generate_key().decode())
    sealed = sealing.seal(NUMBER)
    assert sealed.startswith(sealing.SEALED_PREFIX)
    assert NUMBER not in sealed and not any(run.isdigit() and len(run) >= 15 for run in [sealed])
    assert sealing.seal(NUMBER) != sealed, "a fresh nonce each time: equal numbers do not match"
    assert sealing.unseal(sealed) == NUMBER


def test_plain_and_empty_values_pass_and_a_foreign_key_opens_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(get_settings(), "slot_sealing_key", Fernet.generate_key().decode())
    sealed = sealing.seal(NUMBER)
    assert sealing.unseal(NUMBER) == NUMBER
    assert sealing.unseal(None) is None and sealing.unseal("") is None
    sealing._fernet.cache_clear()
    monkeypatch.setattr(get_settings(), "slot_sealing_key", Fernet.generate_key().decode())
    assert sealing.unseal(sealed) is None


def test_the_embedded_key_is_created_once_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "slot_sealing_key", "")
    key_file = tmp_path / "config" / "secrets.env"
    monkeypatch.setenv("MINZHENG_SECRETS_FILE", str(key_file))
    sealed = sealing.seal(NUMBER)
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert "SLOT_SEALING_KEY=" in key_file.read_text(encoding="utf-8")
    sealing._fernet.cache_clear()
    assert sealing.unseal(sealed) == NUMBER, "a restarted action server still opens its slots"
