"""The pre-screen rules: a household's facts and the policy in force → an outcome per programme.

Pure functions: no database, no clock, no file access. Every reason names its rule, the figures
compared and the policy entry they come from, so staff can audit a result line by line.
Thresholds come only from the policy entries; the code knows the *shape* of the tests (income
below the standard, savings within so many months of it …), never the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from backoffice.records.prescreen.facts import (
    HouseholdFacts,
    ProgrammeResult,
    Reason,
    combine,
    money,
)
from backoffice.records.prescreen.policy import (
    AssetLimits,
    DibaoStandard,
    PolicyEntry,
    PolicyInForce,
)
from zhtext.places import District, default_table

_CENT = Decimal("0.01")


def _reason(
    code: str,
    rule: str,
    effect: str,
    entry: PolicyEntry | None = None,
    **figures: str,
) -> Reason:
    return Reason.model_validate(
        {
            "code": code,
            "rule": rule,
            "effect": effect,
            "figures": figures,
            "policy_entry": entry.id if entry else None,
            "effective_from": entry.effective_from.isoformat() if entry else None,
            "sample": entry.sample if entry else False,
            "verify": entry.verify if entry else False,
        }
    )


@dataclass(frozen=True)
class _Income:
    """Per-capita income against the 低保 standard of the household's district."""

    district: District
    standard_entry: DibaoStandard
    standard: Decimal
    per_capita: Decimal

    def figures(self) -> dict[str, str]:
        return {
            "district": self.district.name,
            "year": str(self.standard_entry.effective_from.year),
            "standard_yuan": money(self.standard),
            "per_capita_income_yuan": money(self.per_capita),
        }


def _district(facts: HouseholdFacts) -> District | None:
    if facts.district is None:
        return None
    try:
        return default_table().get(facts.district)
    except KeyError:
        return None


def _standard(policy: PolicyInForce, district: District) -> Decimal | None:
    if policy.dibao is None:
        return None
    return policy.dibao.amounts.get(district.tier)


def _income_basis(
    facts: HouseholdFacts, policy: PolicyInForce, programme: str
) -> tuple[_Income | None, list[Reason]]:
    """The per-capita income and standard, or the reasons they cannot be compared."""
    rule = f"{programme}.income"
    district = _district(facts)
    if district is None:
        return None, [_reason("district_unknown", rule, "review")]
    standard = _standard(policy, district)
    if standard is None or policy.dibao is None:
        return None, [
            _reason(
                "standard_unknown",
                rule,
                "review",
                policy.dibao,
                district=district.name,
                as_of=policy.as_of.isoformat(),
            )
        ]
    reasons: list[Reason] = []
    if facts.household_size is None:
        reasons.append(_reason(f"household_size_{facts.household_size_status}", rule, "review"))
    if facts.monthly_income is None:
        reasons.append(_reason(f"income_{facts.income_status}", rule, "review"))
    if facts.household_size is None or facts.monthly_income is None:
        return None, reasons
    per_capita = (facts.monthly_income / facts.household_size).quantize(
        _CENT, rounding=ROUND_HALF_UP
    )
    return _Income(district, policy.dibao, standard, per_capita), []


def _near_estimate(
    facts: HouseholdFacts, policy: PolicyInForce, line: Decimal, value: Decimal
) -> bool:
    """An estimated income that falls this close to a line cannot decide on its own."""
    if not facts.income_approximate or policy.screening is None:
        return False
    return abs(value - line) <= line * policy.screening.approximate_margin


def _residence_reasons(facts: HouseholdFacts, programme: str) -> list[Reason]:
    rule = f"{programme}.residence"
    if facts.residence == "none":
        return [_reason("residence_none", rule, "unlikely")]
    if facts.residence == "permit":
        return [_reason("residence_permit", rule, "review")]
    return []


def _asset_reasons(
    facts: HouseholdFacts,
    policy: PolicyInForce,
    programme: str,
    basis: _Income | None,
) -> list[Reason]:
    """Savings within the limit per person; vehicles and extra housing."""
    rule = f"{programme}.assets"
    limits: AssetLimits | None = policy.assets
    if limits is None:
        return [_reason("asset_rules_unknown", rule, "review")]
    reasons: list[Reason] = []
    months = limits.savings_months.get("dibao" if programme == "dibao" else "dibian")
    if facts.savings is None:
        reasons.append(_reason(f"savings_{facts.savings_status}", rule, "review", limits))
    elif basis is not None and facts.household_size is not None and months:
        per_person = (facts.savings / facts.household_size).quantize(_CENT, rounding=ROUND_HALF_UP)
        limit = (basis.standard * months).quantize(_CENT, rounding=ROUND_HALF_UP)
        figures = {
            "savings_per_capita_yuan": money(per_person),
            "limit_yuan": money(limit),
            "months": money(months),
        }
        code, effect = (
            ("savings_within", "likely") if per_person <= limit else ("savings_over", "unlikely")
        )
        reasons.append(_reason(code, rule, effect, limits, **figures))
    if facts.has_vehicle:
        reasons.append(_reason("vehicle", rule, limits.vehicle_outcome, limits))
    if facts.has_extra_housing:
        reasons.append(_reason("extra_housing", rule, limits.extra_housing_outcome, limits))
    if facts.has_vehicle is None or facts.has_extra_housing is None:
        reasons.append(_reason(f"assets_{facts.assets_status}", rule, "review", limits))
    return reasons


def _escalating_circumstances(facts: HouseholdFacts, policy: PolicyInForce) -> list[str]:
    if policy.screening is None:
        return []
    return [c for c in facts.circumstances if c in policy.screening.review_over_standard_with]


def screen_dibao(facts: HouseholdFacts, policy: PolicyInForce) -> ProgrammeResult:
    """低保: income below the standard of the district's tier, assets within the limits."""
    reasons = _residence_reasons(facts, "dibao")
    basis, missing = _income_basis(facts, policy, "dibao")
    reasons += missing
    if basis is not None:
        figures = basis.figures()
        rule = "dibao.income"
        if _near_estimate(facts, policy, basis.standard, basis.per_capita):
            reasons.append(
                _reason("income_near_estimate", rule, "review", policy.screening, **figures)
            )
        elif basis.per_capita < basis.standard:
            reasons.append(_reason("income_below", rule, "likely", basis.standard_entry, **figures))
        elif escalating := _escalating_circumstances(facts, policy):
            figures["circumstances"] = ",".join(escalating)
            reasons.append(
                _reason(
                    "income_over_with_circumstance", rule, "review", policy.screening, **figures
                )
            )
        else:
            reasons.append(
                _reason("income_not_below", rule, "unlikely", basis.standard_entry, **figures)
            )
    reasons += _asset_reasons(facts, policy, "dibao", basis)
    return ProgrammeResult(programme="dibao", outcome=combine(reasons), reasons=reasons)


def screen_dibian(facts: HouseholdFacts, policy: PolicyInForce) -> ProgrammeResult:
    """低边: income at most the band (a multiple of the 低保 standard), assets within the limits."""
    reasons = _residence_reasons(facts, "dibian")
    band = policy.dibian
    if band is None:
        reasons.append(
            _reason("band_unknown", "dibian.income", "review", None, as_of=policy.as_of.isoformat())
        )
        return ProgrammeResult(programme="dibian", outcome=combine(reasons), reasons=reasons)
    basis, missing = _income_basis(facts, policy, "dibian")
    reasons += missing
    if basis is not None:
        line = (basis.standard * band.multiplier).quantize(_CENT, rounding=ROUND_HALF_UP)
        figures = basis.figures() | {"band_yuan": money(line), "multiplier": money(band.multiplier)}
        rule = "dibian.income"
        if basis.per_capita < basis.standard:
            reasons.append(_reason("dibian_below_dibao", rule, "likely", band, **figures))
        elif _near_estimate(facts, policy, line, basis.per_capita):
            reasons.append(
                _reason("income_near_estimate_band", rule, "review", policy.screening, **figures)
            )
        elif basis.per_capita <= line:
            reasons.append(_reason("dibian_within_band", rule, "likely", band, **figures))
        else:
            reasons.append(_reason("dibian_over_band", rule, "unlikely", band, **figures))
    reasons += _asset_reasons(facts, policy, "dibian", basis)
    return ProgrammeResult(programme="dibian", outcome=combine(reasons), reasons=reasons)


def screen_tekun(facts: HouseholdFacts, policy: PolicyInForce) -> ProgrammeResult:
    """特困: the citizen named the three conditions (no capacity, no income, no supporter)."""
    rule = "tekun.conditions"
    rules = policy.tekun
    reasons = _residence_reasons(facts, "tekun")
    if rules is None:
        reasons.append(_reason("tekun_rules_unknown", rule, "review"))
    elif facts.circumstances_status != "given":
        reasons.append(
            _reason(f"circumstances_{facts.circumstances_status}", rule, "review", rules)
        )
    elif rules.required_circumstance not in facts.circumstances:
        reasons.append(_reason("tekun_condition_absent", rule, "unlikely", rules))
    elif facts.monthly_income == 0:
        reasons.append(_reason("tekun_condition_met", rule, "likely", rules))
    else:
        reasons.append(_reason("tekun_condition_with_income", rule, "review", rules))
    return ProgrammeResult(programme="tekun", outcome=combine(reasons), reasons=reasons)


def screen_temporary(facts: HouseholdFacts, policy: PolicyInForce) -> ProgrammeResult:
    """临时救助: an emergency (急难型), or heavy spending with income within a line (支出型)."""
    rules = policy.temporary
    if rules is None:
        reasons = [_reason("temporary_rules_unknown", "temporary.type", "review")]
        return ProgrammeResult(programme="temporary", outcome="review", reasons=reasons)
    if facts.circumstances_status != "given":
        reasons = [
            _reason(
                f"circumstances_{facts.circumstances_status}", "temporary.type", "review", rules
            )
        ]
        return ProgrammeResult(programme="temporary", outcome="review", reasons=reasons)
    named = set(facts.circumstances)
    positive: list[Reason] = []
    open_questions: list[Reason] = []
    if named & set(rules.emergency_circumstances):
        positive.append(_reason("temporary_emergency", "temporary.emergency", "likely", rules))
    if named & set(rules.expense_circumstances):
        basis, missing = _income_basis(facts, policy, "temporary")
        if basis is None:
            open_questions += missing
        else:
            line = (basis.standard * rules.expense_income_multiplier).quantize(
                _CENT, rounding=ROUND_HALF_UP
            )
            figures = basis.figures() | {
                "band_yuan": money(line),
                "multiplier": money(rules.expense_income_multiplier),
            }
            if basis.per_capita <= line:
                positive.append(
                    _reason(
                        "temporary_expense_within", "temporary.expense", "likely", rules, **figures
                    )
                )
            else:
                open_questions.append(
                    _reason(
                        "temporary_expense_over", "temporary.expense", "review", rules, **figures
                    )
                )
    if named & set(rules.review_circumstances):
        open_questions.append(_reason("temporary_illness", "temporary.illness", "review", rules))
    if positive:
        # One type that fits is enough to apply; open questions about another type stay listed.
        return ProgrammeResult(
            programme="temporary", outcome="likely", reasons=positive + open_questions
        )
    if open_questions:
        return ProgrammeResult(programme="temporary", outcome="review", reasons=open_questions)
    reasons = [_reason("temporary_none", "temporary.type", "unlikely", rules)]
    return ProgrammeResult(programme="temporary", outcome="unlikely", reasons=reasons)


def screen(facts: HouseholdFacts, policy: PolicyInForce) -> list[ProgrammeResult]:
    """Pre-screen every programme, in the order they are shown to citizens."""
    return [
        screen_dibao(facts, policy),
        screen_dibian(facts, policy),
        screen_tekun(facts, policy),
        screen_temporary(facts, policy),
    ]
