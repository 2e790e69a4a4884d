"""Modules stay readable in one sitting: none over 400 lines, tests too; migrations apart (#21)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400
SUFFIXES = (".py", ".js")


def tracked_sources() -> list[Path]:
    """Every Python and JavaScript file git tracks, the tests' own too; migrations apart."""
    listed = subprocess.run(
        ["git", "ls-files", *(f"*{suffix}" for suffix in SUFFIXES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [ROOT / name for name in listed if "/migrations/" not in name]


def test_the_sources_are_found() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in tracked_sources()}
    assert "knowledge/check.py" in names
    assert "connectors/webchat/static/chat.js" in names
    assert "tests/test_module_size.py" in names
    assert "tests/connectors/telegram/fake_telegram.py" in names
    assert not any("/migrations/" in name for name in names)


def test_no_module_is_over_400_lines() -> None:
    too_long = {
        path.relative_to(ROOT).as_posix(): lines
        for path in tracked_sources()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not too_long, f"split these by job (ARCHITECTURE.md): {too_long}"
