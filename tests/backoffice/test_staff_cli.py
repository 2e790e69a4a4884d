"""`python -m backoffice.staff.cli add`: creates or updates a staff account from the terminal."""

from __future__ import annotations

import io

import pytest
from sqlalchemy.orm import Session

from backoffice.staff import cli
from backoffice.staff.models import SUPERVISOR
from backoffice.staff.passwords import verify_password
from backoffice.staff.service import staff_by_username


@pytest.fixture
def cli_session(session: Session, monkeypatch: pytest.MonkeyPatch) -> Session:
    """The CLI writes into the test's database (its session is not closed by the CLI)."""

    class _Factory:
        def __call__(self) -> _Factory:
            return self

        def __enter__(self) -> Session:
            return session

        def __exit__(self, *_: object) -> None:
            return None

    monkeypatch.setattr(cli, "get_session_factory", lambda: _Factory())
    return session


def test_add_creates_then_updates_a_staff_account(
    cli_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert cli.main(["add", "wang", "小王", "--password-stdin"]) == 0
    staff = staff_by_username(session=cli_session, username="wang")
    assert staff is not None
    assert staff.display_name == "小王"
    assert verify_password("a-long-password", staff.password_hash)

    monkeypatch.setattr("sys.stdin", io.StringIO("another-password\n"))
    args = ["add", "wang", "王主管", "--role", SUPERVISOR, "--password-stdin"]
    assert cli.main(args) == 0
    cli_session.expire_all()
    staff = staff_by_username(session=cli_session, username="wang")
    assert staff is not None
    assert (staff.display_name, staff.role) == ("王主管", SUPERVISOR)
    assert verify_password("another-password", staff.password_hash)


def test_add_refuses_a_short_password(
    cli_session: Session, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["add", "li", "小李", "--password-stdin"]) == 2
    assert "10 to 72 bytes" in capsys.readouterr().err
    assert staff_by_username(session=cli_session, username="li") is None
