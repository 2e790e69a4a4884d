"""The pre-screen result's wording: every reason has a text, amounts, no leftover placeholders."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from actions.prescreen import wording
from backoffice.records.prescreen.engine import screen
from backoffice.records.prescreen.facts import HouseholdFacts
from backoffice.records.prescreen.policy import load_policy, policy_in_force
from core.settings import PROJECT_ROOT
from tests.actions.prescreen_support import DOMAIN, TODAY

ENGINE_SOURCE = (PROJECT_ROOT / "backoffice/records/prescreen/engine.py").read_text("utf-8")


def test_every_reason_the_engine_gives_has_wording_in_the_domain() -> None:
    literal = set(re.findall(r'_reason\(\s*"(\w+)"', ENGINE_SOURCE))
    families = {
        f"{prefix}_{status}"
        for prefix in re.findall(r'_reason\(\s*f"(\w+)_\{', ENGINE_SOURCE)
        for status in ("unknown", "refused")
    }
    assert literal, "the engine's reason codes were not found"
    assert literal | families <= set(wording.REASON_LINES)
    for template in wording.REASON_LINES.values():
        assert template.response in DOMAIN["responses"], template.response


def test_the_issue_example_sentence() -> None:
    reason = {
        "code": "income_below",
        "figures": {
            "per_capita_income_yuan": "1150",
            "standard_yuan": "1167",
            "year": "2025",
            "district": "西湖区",
        },
        "sample": True,
    }
    line = wording.reason_line(DOMAIN, reason)
    assert line == "· 家庭月人均收入 1,150 元，低于 2025 年西湖区低保标准 1,167 元（示例值）"


@pytest.mark.parametrize(("raw", "shown"), [("28008", "28,008"), ("1166.67", "1,166.67")])
def test_amounts_get_thousands_separators(raw: str, shown: str) -> None:
    assert wording.format_yuan(raw) == shown


def test_every_real_result_renders_without_leftover_placeholders() -> None:
    policy = policy_in_force(load_policy(PROJECT_ROOT / "knowledge/policies/assistance.yml"), TODAY)
    cases = [
        {"district": "xihu", "household_size": 2, "monthly_income": "2300", "savings": "1000",
         "has_vehicle": True, "has_extra_housing": False, "circumstances": ["large_expense"]},
        {"district": "chunan", "household_size": 1, "monthly_income": "1500", "savings": None,
         "savings_status": "refused", "circumstances": ["severe_disability", "sudden_emergency"]},
        {"residence": "permit", "district": None, "circumstances_status": "unknown"},
    ]  # fmt: skip
    for case in cases:
        for result in screen(HouseholdFacts.model_validate(case), policy):
            values = wording.programme_values(DOMAIN, result.model_dump(mode="json"))
            assert not re.search(r"\{\w+\}", values["reasons"]), values["reasons"]
            assert values["outcome"] in ("可能符合", "可能不符合", "需要人工评估")


def test_amount_formatting_of_decimal_candidates() -> None:
    assert wording.format_yuan(str(Decimal("2000"))) == "2,000"
