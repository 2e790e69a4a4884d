"""The short pre-screen result: one line per programme, each figure with its source and date.

The verdict is one message: per programme its outcome and, where the result compared the
household's income with a line, the two figures, the line cited "（示例值，来源：…，2025-01-01
起）". Every reason in full, the disclaimer and how to apply are the details, shown on request
(`actions.prescreen.screening.ActionShowPrescreenDetails`). All wording is in
`bot/domain/prescreen.yml`; this module only picks the templates and the cited entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from rasa_sdk.types import DomainDict

from actions.prescreen import sources
from actions.prescreen.wording import OUTCOME_LABELS, Template, format_yuan, render

VERDICT_LINE = Template(response="utter_prescreen_verdict_line")
CITE = Template(response="utter_prescreen_cite")
CITE_SAMPLE = Template(response="utter_prescreen_cite_sample")
CITE_VERIFY = Template(response="utter_prescreen_cite_verify")
SHORT_LABELS: dict[str, Template] = {
    "dibao": Template(response="utter_prescreen_short_dibao"),
    "dibian": Template(response="utter_prescreen_short_dibian"),
    "tekun": Template(response="utter_prescreen_short_tekun"),
    "temporary": Template(response="utter_prescreen_short_temporary"),
}
STANDARD_FIGURE = Template(response="utter_prescreen_verdict_standard")
BAND_FIGURE = Template(response="utter_prescreen_verdict_band")
EXPENSE_FIGURE = Template(response="utter_prescreen_verdict_expense")
# Reasons comparing the income with the 低边 line, or with the line of 支出型 temporary assistance;
# every other reason with an income figure compares it with the 低保 standard.
BAND_REASONS = frozenset(
    {"dibian_below_dibao", "dibian_within_band", "dibian_over_band", "income_near_estimate_band"}
)
EXPENSE_REASONS = frozenset({"temporary_expense_within", "temporary_expense_over"})
INCOME_FIGURE = "per_capita_income_yuan"


def cite(domain: DomainDict, tables: Sequence[str], as_of: dt.date) -> str:
    """The citation of a figure from the first of `tables`: "（示例值，来源：…，2025-01-01 起）".

    A figure computed from several entries (the 低边 line is the 低保 standard times the band's
    multiplier) is a sample value when any of them is, and to be verified when any of them is.
    """
    primary = sources.in_force(tables[0], as_of)
    if primary is None:
        return ""
    entries = [primary, *(e for e in (sources.in_force(t, as_of) for t in tables[1:]) if e)]
    if any(e.sample for e in entries):
        mark = render(domain, CITE_SAMPLE)
    elif any(e.verify for e in entries):
        mark = render(domain, CITE_VERIFY)
    else:
        mark = ""
    return render(
        domain,
        CITE,
        mark=mark,
        source=primary.short_title,
        date=primary.effective_from.isoformat(),
    )


def figure(domain: DomainDict, reasons: Sequence[Mapping[str, Any]], as_of: dt.date) -> str:
    """The income compared with its line, cited; "" when no reason compared incomes."""
    reason = next((r for r in reasons if INCOME_FIGURE in (r.get("figures") or {})), None)
    if reason is None:
        return ""
    figures = dict(reason.get("figures") or {})
    values: dict[str, Any] = {
        key: format_yuan(str(value)) if key.endswith("_yuan") else value
        for key, value in figures.items()
    }
    code = str(reason.get("code"))
    if code in BAND_REASONS:
        template = BAND_FIGURE
        tables: tuple[str, ...] = (sources.BAND_TABLE, sources.STANDARD_TABLE)
    elif code in EXPENSE_REASONS:
        template = EXPENSE_FIGURE
        tables = (sources.TEMPORARY_TABLE, sources.STANDARD_TABLE)
    else:
        template = STANDARD_FIGURE
        tables = (sources.STANDARD_TABLE,)
    return render(domain, template, **values, cite=cite(domain, tables, as_of))


def verdict_lines(
    domain: DomainDict, programmes: Sequence[Mapping[str, Any]], as_of: dt.date
) -> str:
    """One line per programme: its short name, the outcome, and the figure that decided it."""
    lines = []
    for programme in programmes:
        code = str(programme["programme"])
        label = SHORT_LABELS.get(code)
        lines.append(
            render(
                domain,
                VERDICT_LINE,
                programme=render(domain, label) if label else code,
                outcome=render(domain, OUTCOME_LABELS[str(programme["outcome"])]),
                figure=figure(domain, programme.get("reasons") or [], as_of),
            )
        )
    return "\n".join(lines)
