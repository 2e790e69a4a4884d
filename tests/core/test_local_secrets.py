"""`make run`'s generated secrets: created once, owner-only, outside the repository."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from core import local_secrets
from core.settings import PROJECT_ROOT


def test_the_default_file_is_outside_the_repository(tmp_path: Path) -> None:
    home_default = local_secrets.secrets_file({})
    assert PROJECT_ROOT not in home_default.parents
    assert home_default.parts[-3:] == (".config", "minzheng", "secrets.env")
    xdg = local_secrets.secrets_file({"XDG_CONFIG_HOME": str(tmp_path)})
    assert xdg == tmp_path / "minzheng" / "secrets.env"


def test_secrets_are_random_kept_and_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "secrets.env"
    first = local_secrets.ensure_local_secrets(path)
    assert set(first) == set(local_secrets.SECRET_NAMES)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(set(first.values())) == len(first), "one secret per role"
    assert all(len(value) >= 32 for value in first.values())
    Fernet(first["SLOT_SEALING_KEY"].encode())  # a usable key
    path.chmod(0o644)
    assert local_secrets.ensure_local_secrets(path) == first, "the same secrets after a restart"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    other = local_secrets.ensure_local_secrets(tmp_path / "other.env")
    assert other["SERVICE_TOKEN"] != first["SERVICE_TOKEN"]


def test_a_missing_secret_is_added_and_the_others_kept(tmp_path: Path) -> None:
    path = tmp_path / "secrets.env"
    path.write_text("SERVICE_TOKEN=mine-0123456789abcdefghijklmnopqrstuv\n", encoding="utf-8")
    values = local_secrets.ensure_local_secrets(path)
    assert values["SERVICE_TOKEN"] == "mine-0123456789abcdefghijklmnopqrstuv"
    assert values["EDITOR_TOKEN"]


def test_exports_leave_the_operators_values_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = local_secrets.ensure_local_secrets(tmp_path / "secrets.env")
    lines = local_secrets.exports({"EDITOR_TOKEN": "set-by-operator", "SERVICE_TOKEN": ""}, values)
    assert "EDITOR_TOKEN" not in lines
    assert f"export SERVICE_TOKEN={values['SERVICE_TOKEN']}\n" in lines
