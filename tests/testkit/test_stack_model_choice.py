"""Which model a test stack loads: the newest in models/, or in $STACK_MODELS_DIR when set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from testkit.stack_basics import MODELS_DIR_VARIABLE, StackError, latest_model


def model(folder: Path, name: str, mtime: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"")
    os.utime(path, (mtime, mtime))
    return path


def test_the_newest_model_of_the_chosen_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model(tmp_path / "elsewhere", "old.tar.gz", 1_000)
    newest = model(tmp_path / "elsewhere", "new.tar.gz", 2_000)
    monkeypatch.setenv(MODELS_DIR_VARIABLE, str(tmp_path / "elsewhere"))
    assert latest_model() == newest
    explicit = model(tmp_path / "explicit", "a.tar.gz", 1_000)
    assert latest_model(tmp_path / "explicit") == explicit


def test_an_empty_chosen_folder_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODELS_DIR_VARIABLE, str(tmp_path))
    with pytest.raises(StackError, match=str(tmp_path)):
        latest_model()
