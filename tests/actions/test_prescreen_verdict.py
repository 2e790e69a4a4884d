"""The short pre-screen result (#19, point 11): one message, a line per programme, every figure
with its source and date; the details on request."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeTransport
from actions.clients.prescreen import PrescreenApi
from actions.prescreen import screening, slots, sources, verdict
from backoffice.records.prescreen.engine import screen
from backoffice.records.prescreen.facts import HouseholdFacts
from backoffice.records.prescreen.policy import load_policy, policy_in_force
from core.settings import PROJECT_ROOT
from testkit.trackers import make_tracker

DOMAIN: DomainDict = yaml.safe_load(
    (PROJECT_ROOT / "bot" / "domain" / "prescreen.yml").read_text(encoding="utf-8")
)
POLICY_FILE = PROJECT_ROOT / "knowledge" / "policies" / "assistance.yml"
AS_OF = dt.date(2026, 11, 28)
# The household of the issue: 西湖区, two people, 2,300 a month, 10,000 saved, no car or flat.
FACTS = {
    "district": "xihu",
    "household_size": 2,
    "monthly_income": "2300",
    "savings": "10000",
    "has_vehicle": False,
    "has_extra_housing": False,
    "circumstances": [],
}
SAMPLE_STANDARD = "《市民政事业十四五发展规划》2025 年目标值"
BAND_SOURCE = "2022年杭州低边标准放宽到低保2倍"
# The result was 8 messages and about 720 characters; the short one is one message.
MOST_CHARACTERS = 400
CITATION = r"（(示例值，|待核实，)?来源：[^，]+，\d{4}-\d{2}-\d{2} 起）"


def programmes(facts: dict[str, Any], as_of: dt.date = AS_OF) -> list[dict[str, Any]]:
    policy = policy_in_force(load_policy(POLICY_FILE), as_of)
    return [r.model_dump(mode="json") for r in screen(HouseholdFacts.model_validate(facts), policy)]


def verdict_text(facts: dict[str, Any]) -> str:
    template = str(DOMAIN["responses"]["utter_prescreen_verdict"][0]["text"])
    lines = verdict.verdict_lines(DOMAIN, programmes(facts), AS_OF)
    return template.format(reference="YS-20261128-ABC123", as_of=AS_OF.isoformat(), verdicts=lines)


def test_a_source_is_named_without_its_description_in_brackets() -> None:
    entry = sources.in_force(sources.BAND_TABLE, AS_OF)
    assert entry is not None
    assert entry.title.startswith(BAND_SOURCE + "（")
    assert entry.short_title == BAND_SOURCE
    assert (entry.entry, entry.effective_from) == ("dibian-2022", dt.date(2022, 1, 1))


def test_the_entry_in_force_is_the_latest_started() -> None:
    standard = sources.in_force(sources.STANDARD_TABLE, AS_OF)
    assert standard is not None and standard.entry == "dibao-2025-sample" and standard.sample
    older = sources.in_force(sources.STANDARD_TABLE, dt.date(2017, 12, 1))
    assert older is not None and older.entry == "dibao-2017-11" and not older.sample
    assert sources.in_force(sources.STANDARD_TABLE, dt.date(2000, 1, 1)) is None
    assert sources.in_force("no_such_table", AS_OF) is None


def test_the_issue_household_gets_one_short_message_with_cited_figures() -> None:
    text = verdict_text(FACTS)
    lines = text.splitlines()
    assert lines[0] == (
        "预审结果（编号 YS-20261128-ABC123，按 2026-11-28 有效的政策计算，"
        "仅供参考，以街道审核为准）："
    )
    assert lines[1] == (
        "· 低保：可能符合。家庭月人均收入 1,150 元，2025 年西湖区低保标准 1,167 元"
        f"（示例值，来源：{SAMPLE_STANDARD}，2025-01-01 起）"
    )
    # The 低边 line is the sample standard times the band's multiplier: a sample value too.
    assert lines[2] == (
        "· 低边：可能符合。家庭月人均收入 1,150 元，低边收入线（低保标准的 2 倍）2,334 元"
        f"（示例值，来源：{BAND_SOURCE}，2022-01-01 起）"
    )
    assert lines[3] == "· 特困：可能不符合"
    assert lines[4] == "· 临时救助：可能不符合"
    assert "查看详细说明" in lines[5]
    assert len(text) < MOST_CHARACTERS
    assert not re.search(r"\{\w+\}", text)


def test_every_figure_in_a_verdict_names_its_source_and_date() -> None:
    cases: list[dict[str, Any]] = [
        FACTS,
        FACTS | {"monthly_income": "9000", "circumstances": ["large_expense"]},
        FACTS | {"monthly_income": "2000", "circumstances": ["large_expense", "sudden_emergency"]},
        FACTS | {"monthly_income": "2600", "income_approximate": True},
        {"district": "chunan", "household_size": 1, "monthly_income": "1500", "savings": None,
         "savings_status": "refused", "circumstances": ["severe_disability"]},
        {"residence": "permit", "district": None, "circumstances_status": "unknown"},
    ]  # fmt: skip
    lines_checked = 0
    for facts in cases:
        text = verdict_text(facts)
        assert not re.search(r"\{\w+\}", text), text
        assert len(text) < MOST_CHARACTERS, text
        for amount in re.finditer(r"(线|标准)[^，。\n]*?([\d,]+) 元", text):
            cited = text[amount.end() :]
            assert re.match(r"（(示例值，|待核实，)?来源：[^，]+，\d{4}-\d{2}-\d{2} 起）", cited), (
                text
            )
            lines_checked += 1
    assert lines_checked >= 8


def test_the_expense_line_of_temporary_assistance_is_cited_from_its_own_entry() -> None:
    facts = FACTS | {"monthly_income": "2000", "circumstances": ["large_expense"]}
    [temporary] = [p for p in programmes(facts) if p["programme"] == "temporary"]
    line = verdict.figure(DOMAIN, temporary["reasons"], AS_OF)
    assert "支出型临时救助的收入线（低保标准的 2 倍）2,334 元" in line
    assert line.endswith("（示例值，来源：临时救助问答，2014-05-01 起）")


def test_a_figure_from_verified_entries_only_carries_no_mark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))
    for entry in document["dibao_standard"]:
        entry["sample"] = entry["verify"] = False
    edited = tmp_path / "assistance.yml"
    edited.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(sources, "policy_file", lambda: edited)
    cited = verdict.cite(DOMAIN, [sources.STANDARD_TABLE], AS_OF)
    assert cited == f"（来源：{SAMPLE_STANDARD}，2025-01-01 起）"
    # The band entry is still to be verified, and its line is computed from both.
    assert verdict.cite(DOMAIN, [sources.BAND_TABLE, sources.STANDARD_TABLE], AS_OF) == (
        f"（待核实，来源：{BAND_SOURCE}，2022-01-01 起）"
    )


def test_no_policy_file_no_citation_but_still_a_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "policy_file", lambda: Path("/nonexistent/assistance.yml"))
    assert verdict.cite(DOMAIN, [sources.STANDARD_TABLE], AS_OF) == ""


async def test_the_details_are_shown_on_request_without_a_new_prescreen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(json.loads(request.content))
        return httpx.Response(
            200,
            json={
                "reference": "YS-20261128-ABC123",
                "as_of": AS_OF.isoformat(),
                "policy_version": "assistance.yml v1",
                "programmes": programmes(FACTS),
                "application": {
                    "where": "户籍所在地的街道",
                    "where_permit": "居住地街道",
                    "online": "也可以网上申请",
                    "documents": ["身份证"],
                    "sample": True,
                },
                "income_excluded": [],
            },
        )

    transport = BackofficeTransport(
        base_url="http://backoffice", timeout=5, transport=httpx.MockTransport(handler)
    )
    monkeypatch.setattr(screening, "get_prescreen_api", lambda: PrescreenApi(transport))
    filled = {
        slots.DISTRICT: "xihu",
        slots.RESIDENCE: "permit",
        slots.HOUSEHOLD_SIZE: {"status": "given", "value": 2},
    }
    first = CollectingDispatcher()
    events = await screening.ActionPrescreenHousehold().run(
        first, make_tracker(slots=filled), DOMAIN
    )
    [short] = first.messages
    assert short["response"] == "utter_prescreen_verdict"
    assert short["reference"] == "YS-20261128-ABC123"
    stored = {e["name"]: e["value"] for e in events}
    assert stored[slots.DETAILS]["permit"] is True

    details = CollectingDispatcher()
    await screening.ActionShowPrescreenDetails().run(
        details, make_tracker(slots={slots.DETAILS: stored[slots.DETAILS]}), DOMAIN
    )
    assert len(calls) == 1  # the details are the logged result, not a second pre-screen
    apply = next(m for m in details.messages if m["response"] == "utter_prescreen_how_to_apply")
    assert apply["where"] == "居住地街道"
    offer = details.messages[-1]["response"]
    assert offer == "utter_prescreen_offer_review"


@pytest.mark.parametrize("stored", [None, {}, {"result": {"reference": "x"}}, "nonsense"])
async def test_details_without_a_result_say_so(stored: Any) -> None:
    dispatcher = CollectingDispatcher()
    await screening.ActionShowPrescreenDetails().run(
        dispatcher, make_tracker(slots={slots.DETAILS: stored}), DOMAIN
    )
    assert [m["response"] for m in dispatcher.messages] == ["utter_prescreen_details_missing"]


def test_starting_again_forgets_the_details() -> None:
    assert slots.DETAILS in slots.ALL_SLOTS
