"""Placeholders in conversation scripts are computed from the day the script runs."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from testkit.script_vars import VariableError, Variables, check_placeholders

SATURDAY = dt.date(2026, 11, 28)


def variables(today: dt.date = SATURDAY, **script_vars: str) -> Variables:
    return Variables.build(
        today=today, sender="conv-x-1", conversation_id="web-conv-x-1", script_vars=script_vars
    )


@pytest.mark.parametrize(
    ("template", "rendered"),
    [
        ("{today}", "2026-11-28"),
        ("{tomorrow}", "2026-11-29"),
        ("{today+7}", "2026-12-05"),
        ("{today-1}", "2026-11-27"),
        ("{next_working_day}", "2026-11-30"),
        ("{next_working_day+1}", "2026-12-01"),
        ("{next_week_wed}", "2026-12-02"),
        ("{next_week_sun}", "2026-12-06"),
        ("{next_week_wed:md}", "12月2日"),
        ("{next_week_wed:ymd}", "2026年12月2日"),
        ("{next_week_wed:weekday}", "周三"),
        ("{next_week_wed:compact}", "20261202"),
        ("预约{next_week_wed:md}上午，{sender}", "预约12月2日上午，conv-x-1"),
        ("{conversation_id}", "web-conv-x-1"),
        (r"HY-\d{8}-\d{4}", r"HY-\d{8}-\d{4}"),
        ("{ not a placeholder }", "{ not a placeholder }"),
    ],
)
def test_builtins(template: str, rendered: str) -> None:
    assert variables().render(template) == rendered


def test_next_working_day_skips_holidays_and_counts_adjusted_saturdays() -> None:
    before_national_day = variables(dt.date(2026, 9, 30))
    assert before_national_day.render("{next_working_day}") == "2026-10-08"
    assert before_national_day.render("{next_working_day+2:weekday}") == "周六"  # 调休上班


def test_script_vars_may_use_builtins_and_earlier_vars() -> None:
    found = variables(day="{next_week_wed}", later="{day+2}", label="{day:md}上午")
    assert found.render("{day}") == "2026-12-02"
    assert found.render("{day:weekday}{later:md}") == "周三12月4日"
    assert found.render("{label}") == "12月2日上午"


def test_values_in_regexes_are_escaped() -> None:
    rendered = variables(code="A.B").render("^{code}$", escape=re.escape)
    assert re.fullmatch(rendered, "A.B")
    assert not re.fullmatch(rendered, "AxB")


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{nope}", "unknown variable {nope}"),
        ("{today:dmy}", "unknown format 'dmy'"),
        ("{sender+1}", "sender is a text"),
        ("{sender:md}", "applies to dates"),
        ("{next_working_day-1}", "not supported"),
    ],
)
def test_bad_placeholders_are_explained(template: str, message: str) -> None:
    with pytest.raises(VariableError, match=re.escape(message)):
        variables().render(template)


def test_script_vars_cannot_shadow_builtins() -> None:
    with pytest.raises(VariableError, match="built-in"):
        Variables.build(
            today=SATURDAY, sender="s", conversation_id="c", script_vars={"today": "{tomorrow}"}
        )


def test_check_placeholders_reports_unknown_names_and_formats() -> None:
    problems = check_placeholders(["{day:md}", "{today:xx}", "{x}", r"\d{8}"], defined=["day"])
    assert len(problems) == 2
    assert "unknown format in {today:xx}" in problems[0]
    assert "unknown variable {x}" in problems[1]
