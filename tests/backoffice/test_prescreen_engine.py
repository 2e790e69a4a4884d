"""The pre-screen rules at their boundaries: each tier, either side of each effective date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from backoffice.records.prescreen.engine import screen
from backoffice.records.prescreen.facts import HouseholdFacts, ProgrammeResult
from backoffice.records.prescreen.policy import (
    PolicyDocument,
    PolicyFileError,
    load_policy,
    policy_in_force,
)
from core.settings import PROJECT_ROOT

POLICY_FILE = PROJECT_ROOT / "knowledge" / "policies" / "assistance.yml"
TODAY = date(2026, 11, 28)


@pytest.fixture(scope="module")
def policy() -> PolicyDocument:
    return load_policy(POLICY_FILE)


def facts(**changes: Any) -> HouseholdFacts:
    base: dict[str, Any] = {
        "district": "xihu",
        "household_size": 1,
        "monthly_income": Decimal("500"),
        "savings": Decimal("0"),
        "has_vehicle": False,
        "has_extra_housing": False,
        "circumstances": [],
    }
    return HouseholdFacts.model_validate(base | changes)


def programme(
    policy: PolicyDocument, name: str, on: date = TODAY, **changes: Any
) -> ProgrammeResult:
    results: dict[str, ProgrammeResult] = {
        r.programme: r for r in screen(facts(**changes), policy_in_force(policy, on))
    }
    return results[name]


def codes(result: ProgrammeResult) -> list[str]:
    return [reason.code for reason in result.reasons]


# --- 低保: income below the standard of the tier (2025 sample values in force on TODAY) ------

TIERS = [("xihu", "1167"), ("xiaoshan", "1167"), ("linan", "992"), ("chunan", "934")]


@pytest.mark.parametrize(("district", "standard"), TIERS)
@pytest.mark.parametrize(
    ("delta", "outcome", "code"),
    [
        ("-0.01", "likely", "income_below"),
        ("0", "unlikely", "income_not_below"),
        ("0.01", "unlikely", "income_not_below"),
    ],
)
def test_dibao_income_boundary_per_tier(
    policy: PolicyDocument, district: str, standard: str, delta: str, outcome: str, code: str
) -> None:
    income = Decimal(standard) + Decimal(delta)
    result = programme(policy, "dibao", district=district, monthly_income=income)
    assert result.outcome == outcome
    income_reason = next(r for r in result.reasons if r.rule == "dibao.income")
    assert income_reason.code == code
    assert income_reason.figures["standard_yuan"] == standard
    assert income_reason.figures["year"] == "2025"
    assert income_reason.policy_entry == "dibao-2025-sample"
    assert income_reason.sample is True


def test_per_capita_income_divides_by_household_size(policy: PolicyDocument) -> None:
    result = programme(policy, "dibao", household_size=2, monthly_income=Decimal("2300"))
    [income] = [r for r in result.reasons if r.rule == "dibao.income"]
    assert income.figures["per_capita_income_yuan"] == "1150"
    assert income.figures["district"] == "西湖区"
    assert result.outcome == "likely"


# --- dates either side of an effective_from ----------------------------------------------------

DATED = [
    # (date, district, expected standard or None when the tier has no figure then)
    (date(2017, 10, 31), "xihu", "819"),
    (date(2017, 11, 1), "xihu", "917"),
    (date(2017, 10, 31), "linan", None),
    (date(2017, 11, 1), "linan", "780"),
    (date(2017, 11, 1), "jiande", "734"),
    (date(2017, 12, 31), "tonglu", "734"),
    (date(2018, 1, 1), "xihu", None),
    (date(2024, 12, 31), "xihu", None),
    (date(2025, 1, 1), "xihu", "1167"),
    (date(2025, 1, 1), "jiande", "934"),
    (date(2010, 6, 30), "xihu", None),
    (date(2010, 7, 1), "xihu", "440"),
]


@pytest.mark.parametrize(("on", "district", "standard"), DATED)
def test_the_standard_in_force_on_the_date_is_used(
    policy: PolicyDocument, on: date, district: str, standard: str | None
) -> None:
    result = programme(policy, "dibao", on=on, district=district, monthly_income=Decimal("100"))
    [income] = [r for r in result.reasons if r.rule == "dibao.income"]
    if standard is None:
        assert income.code == "standard_unknown"
        assert result.outcome == "review"
    else:
        assert income.code == "income_below"
        assert income.figures["standard_yuan"] == standard
        assert income.effective_from is not None
        assert date.fromisoformat(income.effective_from) <= on


@pytest.mark.parametrize(("district", "standard"), [(d, s) for d, s in TIERS[::2]])
@pytest.mark.parametrize(("on", "verified"), [(date(2017, 11, 1), True), (TODAY, False)])
def test_2017_history_is_official_and_2025_is_sample(
    policy: PolicyDocument, district: str, standard: str, on: date, verified: bool
) -> None:
    result = programme(policy, "dibao", on=on, district=district, monthly_income=Decimal("100"))
    [income] = [r for r in result.reasons if r.rule == "dibao.income"]
    assert income.sample is (not verified)


# --- 低边: income at most 2 × the standard (from 2022) -------------------------------------------


@pytest.mark.parametrize(("district", "standard"), TIERS)
@pytest.mark.parametrize(
    ("income_of", "outcome", "code"),
    [
        (lambda s: s - Decimal("0.01"), "likely", "dibian_below_dibao"),
        (lambda s: s, "likely", "dibian_within_band"),
        (lambda s: 2 * s - Decimal("0.01"), "likely", "dibian_within_band"),
        (lambda s: 2 * s, "likely", "dibian_within_band"),
        (lambda s: 2 * s + Decimal("0.01"), "unlikely", "dibian_over_band"),
    ],
)
def test_dibian_band_boundary_per_tier(
    policy: PolicyDocument, district: str, standard: str, income_of: Any, outcome: str, code: str
) -> None:
    income = income_of(Decimal(standard))
    result = programme(policy, "dibian", district=district, monthly_income=income)
    assert result.outcome == outcome
    [reason] = [r for r in result.reasons if r.rule == "dibian.income"]
    assert reason.code == code
    assert reason.figures["band_yuan"] == str(2 * int(standard))
    assert reason.verify is True  # press headline only


@pytest.mark.parametrize(
    ("on", "code"),
    [
        (date(2021, 12, 31), "band_unknown"),
        # From 2022 the band exists; the 2022 低保 standard itself is not on file.
        (date(2022, 1, 1), "standard_unknown"),
        (date(2025, 1, 1), "dibian_within_band"),
    ],
)
def test_dibian_band_starts_in_2022(policy: PolicyDocument, on: date, code: str) -> None:
    result = programme(policy, "dibian", on=on, monthly_income=Decimal("1200"))
    [reason] = [r for r in result.reasons if r.rule == "dibian.income"]
    assert reason.code == code


# --- assets --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("savings", "outcome", "code"),
    [
        ("28007.99", "likely", "savings_within"),
        ("28008", "likely", "savings_within"),
        ("28008.01", "unlikely", "savings_over"),
    ],
)
def test_dibao_savings_limit_is_24_months_of_the_standard_per_person(
    policy: PolicyDocument, savings: str, outcome: str, code: str
) -> None:
    result = programme(policy, "dibao", savings=Decimal(savings))
    assert result.outcome == outcome
    [reason] = [r for r in result.reasons if r.rule == "dibao.assets"]
    assert reason.code == code
    assert reason.figures["limit_yuan"] == "28008"


def test_savings_limit_counts_every_household_member(policy: PolicyDocument) -> None:
    result = programme(
        policy, "dibao", household_size=3, monthly_income=Decimal("0"), savings=Decimal("84024")
    )
    assert result.outcome == "likely"
    result = programme(
        policy, "dibao", household_size=3, monthly_income=Decimal("0"), savings=Decimal("84025")
    )
    assert result.outcome == "unlikely"


@pytest.mark.parametrize("asset", ["has_vehicle", "has_extra_housing"])
def test_a_car_or_a_second_home_makes_dibao_unlikely(policy: PolicyDocument, asset: str) -> None:
    changes: dict[str, Any] = {asset: True}
    result = programme(policy, "dibao", **changes)
    assert result.outcome == "unlikely"


def test_unknown_assets_need_a_person(policy: PolicyDocument) -> None:
    result = programme(policy, "dibao", has_vehicle=None, assets_status="unknown")
    assert result.outcome == "review"
    assert "assets_unknown" in codes(result)


# --- what the citizen did not know or did not say -----------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"monthly_income": None, "income_status": "unknown"}, "income_unknown"),
        ({"monthly_income": None, "income_status": "refused"}, "income_refused"),
        ({"household_size": None, "household_size_status": "unknown"}, "household_size_unknown"),
        ({"savings": None, "savings_status": "refused"}, "savings_refused"),
        ({"district": None}, "district_unknown"),
    ],
)
def test_missing_answers_mean_review_with_a_reason(
    policy: PolicyDocument, changes: dict[str, Any], code: str
) -> None:
    result = programme(policy, "dibao", **changes)
    assert result.outcome == "review"
    assert code in codes(result)


def test_a_missing_value_reported_as_given_counts_as_unknown() -> None:
    assert facts(monthly_income=None).income_status == "unknown"


def test_an_estimate_close_to_the_standard_needs_a_person(policy: PolicyDocument) -> None:
    near = programme(policy, "dibao", monthly_income=Decimal("1100"), income_approximate=True)
    assert near.outcome == "review"
    assert "income_near_estimate" in codes(near)
    far = programme(policy, "dibao", monthly_income=Decimal("800"), income_approximate=True)
    assert far.outcome == "likely"


def test_income_over_the_standard_with_a_severe_disability_is_reviewed(
    policy: PolicyDocument,
) -> None:
    result = programme(
        policy, "dibao", monthly_income=Decimal("1500"), circumstances=["severe_disability"]
    )
    assert result.outcome == "review"
    assert "income_over_with_circumstance" in codes(result)


@pytest.mark.parametrize(("residence", "outcome"), [("none", "unlikely"), ("permit", "review")])
def test_registration_outside_hangzhou(
    policy: PolicyDocument, residence: str, outcome: str
) -> None:
    for name in ("dibao", "dibian", "tekun"):
        assert programme(policy, name, residence=residence).outcome in (outcome, "unlikely")
    assert programme(policy, "dibao", residence=residence).outcome == outcome


# --- 特困 and 临时救助 ----------------------------------------------------------------------------

TEKUN = "no_capacity_no_income_no_supporter"


@pytest.mark.parametrize(
    ("circumstances", "income", "outcome", "code"),
    [
        ([TEKUN], "0", "likely", "tekun_condition_met"),
        ([TEKUN], "300", "review", "tekun_condition_with_income"),
        ([], "0", "unlikely", "tekun_condition_absent"),
        (["severe_disability"], "0", "unlikely", "tekun_condition_absent"),
    ],
)
def test_tekun(
    policy: PolicyDocument, circumstances: list[str], income: str, outcome: str, code: str
) -> None:
    result = programme(policy, "tekun", circumstances=circumstances, monthly_income=Decimal(income))
    assert (result.outcome, codes(result)) == (outcome, [code])


@pytest.mark.parametrize(
    ("circumstances", "income", "outcome", "code"),
    [
        (["sudden_emergency"], "9000", "likely", "temporary_emergency"),
        (["large_expense"], "2334", "likely", "temporary_expense_within"),
        (["large_expense"], "2334.01", "review", "temporary_expense_over"),
        (["serious_illness"], "500", "review", "temporary_illness"),
        ([], "500", "unlikely", "temporary_none"),
    ],
)
def test_temporary_assistance(
    policy: PolicyDocument, circumstances: list[str], income: str, outcome: str, code: str
) -> None:
    result = programme(
        policy, "temporary", circumstances=circumstances, monthly_income=Decimal(income)
    )
    assert result.outcome == outcome
    assert codes(result)[0] == code


def test_unknown_circumstances_need_a_person(policy: PolicyDocument) -> None:
    for name in ("tekun", "temporary"):
        result = programme(policy, name, circumstances=[], circumstances_status="unknown")
        assert result.outcome == "review"


# --- policy as data ------------------------------------------------------------------------------


def _edited(tmp_path: Path, edit: Any) -> Path:
    raw = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))
    edit(raw)
    path = tmp_path / "assistance.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_a_new_standard_is_a_data_change(tmp_path: Path) -> None:
    def add_2026(raw: dict[str, Any]) -> None:
        raw["dibao_standard"].append(
            {
                "id": "dibao-2026-test",
                "effective_from": date(2026, 7, 1),
                "amounts": {"main_urban": 1300},
                "sample": False,
                "verify": False,
                "source": {"title": "测试", "confidence": "official"},
            }
        )

    policy = load_policy(_edited(tmp_path, add_2026))
    before = programme(policy, "dibao", on=date(2026, 6, 30), monthly_income=Decimal("1200"))
    after = programme(policy, "dibao", on=date(2026, 7, 1), monthly_income=Decimal("1200"))
    assert before.outcome == "unlikely"
    assert after.outcome == "likely"
    assert policy_in_force(policy, date(2026, 7, 1)).dibao is not None
    assert "dibao-2026-test" in policy_in_force(policy, date(2026, 7, 1)).version_label


@pytest.mark.parametrize(
    "edit",
    [
        lambda raw: raw["dibao_standard"][0]["amounts"].update({"no_such_tier": 1}),
        lambda raw: raw["dibian_band"][0].update({"multiplier": 0.5}),
        lambda raw: raw["screening"].append(dict(raw["screening"][0])),
        lambda raw: raw.pop("tekun"),
    ],
)
def test_a_broken_policy_file_is_refused(tmp_path: Path, edit: Any) -> None:
    with pytest.raises(PolicyFileError):
        load_policy(_edited(tmp_path, edit))


def test_every_table_has_an_entry_in_force_today(policy: PolicyDocument) -> None:
    in_force = policy_in_force(policy, TODAY)
    assert in_force.dibao is not None and in_force.dibao.id == "dibao-2025-sample"
    for entry in (
        in_force.dibian,
        in_force.assets,
        in_force.income,
        in_force.tekun,
        in_force.temporary,
        in_force.screening,
        in_force.application,
    ):
        assert entry is not None
        assert entry.source.title
