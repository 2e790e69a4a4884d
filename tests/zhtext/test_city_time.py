"""'Today' is Hangzhou's date, also on a server whose clock runs on UTC."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from zhtext import city_time

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("zhtext", "core", "knowledge", "actions", "backoffice", "connectors", "web", "testkit")


def test_half_past_midnight_in_hangzhou_is_already_tomorrow(
    utc_server_near_midnight: dt.date,
) -> None:
    assert dt.date.today() != utc_server_near_midnight, "the server's own date lags behind"
    assert city_time.city_today() == utc_server_near_midnight
    assert city_time.city_now().utcoffset() == dt.timedelta(hours=8)


def local_clock_calls(source: str) -> list[str]:
    """`date.today()` and `datetime.now()` without a zone: the server's local date or time."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = ast.unparse(node.func.value)
        today = node.func.attr == "today" and owner in {"date", "dt.date"}
        naive_now = node.func.attr == "now" and owner in {"datetime", "dt.datetime"}
        if today or (naive_now and not node.args and not node.keywords):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_module_reads_the_server_s_local_date() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{call}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for call in local_clock_calls(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "use zhtext.city_time.city_today / city_now"


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("import datetime as dt\ndt.date.today()", True),
        ("from datetime import datetime\ndatetime.now()", True),
        ("import datetime as dt\ndt.datetime.now(dt.UTC)", False),
    ],
)
def test_the_check_sees_local_clock_calls(source: str, flagged: bool) -> None:
    assert bool(local_clock_calls(source)) is flagged
