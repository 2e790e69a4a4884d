"""Composes the pre-screen result text from the domain's response templates.

A result has one line per reason, each with its own figures. Rasa fills one response per
message, so the lines are rendered here from the templates that Rasa sends with the domain
(`domain["responses"]`) and passed as a value into the message's response. All wording stays in
`bot/domain/prescreen.yml`; this module only knows which template belongs to which code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from rasa_sdk.types import DomainDict


@dataclass(frozen=True)
class Template:
    """The name of a response in the domain used as a template."""

    response: str


PROGRAMME_LABELS: dict[str, Template] = {
    "dibao": Template(response="utter_prescreen_label_dibao"),
    "dibian": Template(response="utter_prescreen_label_dibian"),
    "tekun": Template(response="utter_prescreen_label_tekun"),
    "temporary": Template(response="utter_prescreen_label_temporary"),
}
OUTCOME_LABELS: dict[str, Template] = {
    "likely": Template(response="utter_prescreen_outcome_likely"),
    "unlikely": Template(response="utter_prescreen_outcome_unlikely"),
    "review": Template(response="utter_prescreen_outcome_review"),
}
CIRCUMSTANCE_LABELS: dict[str, Template] = {
    "severe_disability": Template(response="utter_prescreen_circumstance_severe_disability"),
    "serious_illness": Template(response="utter_prescreen_circumstance_serious_illness"),
    "no_capacity_no_income_no_supporter": Template(
        response="utter_prescreen_circumstance_no_capacity_no_income_no_supporter"
    ),
    "sudden_emergency": Template(response="utter_prescreen_circumstance_sudden_emergency"),
    "large_expense": Template(response="utter_prescreen_circumstance_large_expense"),
}
SAMPLE_MARK = Template(response="utter_prescreen_mark_sample")
VERIFY_MARK = Template(response="utter_prescreen_mark_verify")
LIST_SEPARATOR = Template(response="utter_prescreen_list_separator")

REASON_LINES: dict[str, Template] = {
    "residence_none": Template(response="utter_prescreen_reason_residence_none"),
    "residence_permit": Template(response="utter_prescreen_reason_residence_permit"),
    "district_unknown": Template(response="utter_prescreen_reason_district_unknown"),
    "standard_unknown": Template(response="utter_prescreen_reason_standard_unknown"),
    "household_size_unknown": Template(response="utter_prescreen_reason_household_size_unknown"),
    "household_size_refused": Template(response="utter_prescreen_reason_household_size_refused"),
    "income_unknown": Template(response="utter_prescreen_reason_income_unknown"),
    "income_refused": Template(response="utter_prescreen_reason_income_refused"),
    "income_below": Template(response="utter_prescreen_reason_income_below"),
    "income_not_below": Template(response="utter_prescreen_reason_income_not_below"),
    "income_near_estimate": Template(response="utter_prescreen_reason_income_near_estimate"),
    "income_near_estimate_band": Template(
        response="utter_prescreen_reason_income_near_estimate_band"
    ),
    "income_over_with_circumstance": Template(
        response="utter_prescreen_reason_income_over_with_circumstance"
    ),
    "asset_rules_unknown": Template(response="utter_prescreen_reason_asset_rules_unknown"),
    "savings_within": Template(response="utter_prescreen_reason_savings_within"),
    "savings_over": Template(response="utter_prescreen_reason_savings_over"),
    "savings_unknown": Template(response="utter_prescreen_reason_savings_unknown"),
    "savings_refused": Template(response="utter_prescreen_reason_savings_refused"),
    "vehicle": Template(response="utter_prescreen_reason_vehicle"),
    "extra_housing": Template(response="utter_prescreen_reason_extra_housing"),
    "assets_unknown": Template(response="utter_prescreen_reason_assets_unknown"),
    "assets_refused": Template(response="utter_prescreen_reason_assets_refused"),
    "band_unknown": Template(response="utter_prescreen_reason_band_unknown"),
    "dibian_below_dibao": Template(response="utter_prescreen_reason_dibian_below_dibao"),
    "dibian_within_band": Template(response="utter_prescreen_reason_dibian_within_band"),
    "dibian_over_band": Template(response="utter_prescreen_reason_dibian_over_band"),
    "tekun_rules_unknown": Template(response="utter_prescreen_reason_tekun_rules_unknown"),
    "circumstances_unknown": Template(response="utter_prescreen_reason_circumstances_unknown"),
    "circumstances_refused": Template(response="utter_prescreen_reason_circumstances_refused"),
    "tekun_condition_absent": Template(response="utter_prescreen_reason_tekun_condition_absent"),
    "tekun_condition_met": Template(response="utter_prescreen_reason_tekun_condition_met"),
    "tekun_condition_with_income": Template(
        response="utter_prescreen_reason_tekun_condition_with_income"
    ),
    "temporary_rules_unknown": Template(response="utter_prescreen_reason_temporary_rules_unknown"),
    "temporary_emergency": Template(response="utter_prescreen_reason_temporary_emergency"),
    "temporary_expense_within": Template(
        response="utter_prescreen_reason_temporary_expense_within"
    ),
    "temporary_expense_over": Template(response="utter_prescreen_reason_temporary_expense_over"),
    "temporary_illness": Template(response="utter_prescreen_reason_temporary_illness"),
    "temporary_none": Template(response="utter_prescreen_reason_temporary_none"),
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def render(domain: DomainDict, template: Template, **values: Any) -> str:
    """The text of a domain response with `{name}` placeholders filled (unknown ones kept)."""
    variants = domain.get("responses", {}).get(template.response) or []
    text = next((v.get("text") for v in variants if v.get("text") is not None), None)
    if text is None:
        raise KeyError(f"response {template.response} is missing from the domain")
    return _PLACEHOLDER.sub(
        lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text
    )


def format_yuan(value: str) -> str:
    """'1166.67' → '1,166.67', '28008' → '28,008' (figures as the back office sends them)."""
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return value
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount:,.2f}"


def _mark(domain: DomainDict, reason: Mapping[str, Any]) -> str:
    if reason.get("sample"):
        return render(domain, SAMPLE_MARK)
    if reason.get("verify"):
        return render(domain, VERIFY_MARK)
    return ""


def circumstance_names(domain: DomainDict, codes: list[str]) -> str:
    """The circumstances in words, joined with the separator from the domain."""
    names = [render(domain, CIRCUMSTANCE_LABELS[c]) for c in codes if c in CIRCUMSTANCE_LABELS]
    return render(domain, LIST_SEPARATOR).join(names)


def reason_line(domain: DomainDict, reason: Mapping[str, Any]) -> str:
    """One reason in words, with its figures and a sample / to-verify mark."""
    figures: dict[str, Any] = dict(reason.get("figures") or {})
    values: dict[str, Any] = {
        key: format_yuan(value) if key.endswith("_yuan") else value
        for key, value in figures.items()
    }
    if "circumstances" in figures:
        values["circumstances"] = circumstance_names(
            domain, str(figures["circumstances"]).split(",")
        )
    values["mark"] = _mark(domain, reason)
    template = REASON_LINES.get(str(reason.get("code")))
    if template is None:
        raise KeyError(f"no wording for reason {reason.get('code')}")
    return render(domain, template, **values)


def programme_values(domain: DomainDict, programme: Mapping[str, Any]) -> dict[str, str]:
    """Values for `utter_prescreen_programme`: the programme, its outcome and the reason lines."""
    return {
        "programme": render(domain, PROGRAMME_LABELS[str(programme["programme"])]),
        "outcome": render(domain, OUTCOME_LABELS[str(programme["outcome"])]),
        "reasons": "\n".join(reason_line(domain, r) for r in programme.get("reasons", [])),
    }


def programme_label(domain: DomainDict, code: str) -> str:
    """A programme's name in words (the code itself if the domain has no label for it)."""
    template = PROGRAMME_LABELS.get(code)
    return render(domain, template) if template else code
