"""Answers the citizen gives before being asked: "我家三口人住在拱墅区，每月收入一共2000元".

Only what is said unmistakably is taken, so that an answer to one question is never read as
another: a count with 口人/个人, a district by name, an amount in a clause about income.
"""

from __future__ import annotations

import re
from typing import Any

from actions.prescreen import answers, slots

_HOUSEHOLD = re.compile(r"[零一二两三四五六七八九十\d]{1,3}\s*(?:口人|个人|口)")
_INCOME_WORDS = re.compile(r"收入|工资|退休金|养老金|挣|赚")
_NOT_INCOME = re.compile(r"存款|积蓄|储蓄|理财|房|车")
_CLAUSE = re.compile(r"[，,。；;！!？?、\s]+")


def volunteered_answers(text: str) -> dict[str, Any]:
    """The pre-screen answers `text` gives unasked: slot → value the form's validators accept."""
    found: dict[str, Any] = {}
    for clause in _CLAUSE.split(text):
        household = _HOUSEHOLD.search(clause)
        if household and slots.HOUSEHOLD_SIZE not in found:
            size = answers.read_household_size(household.group(0))
            if size is not None:
                found[slots.HOUSEHOLD_SIZE] = size
        if _INCOME_WORDS.search(clause) and not _NOT_INCOME.search(clause):
            income = answers.read_income(clause).answer
            if income is not None and slots.INCOME not in found:
                found[slots.INCOME] = income
    reading = answers.read_district(text)
    match = reading.match
    # Several districts, or a former district's name, are explained by the district question.
    single = match is not None and not match.needs_choice and match.former is None
    if reading.district is not None and single:
        found[slots.DISTRICT] = reading.district.code
    return found


def tells_household_facts(text: str) -> bool:
    """Whether `text` says anything the pre-screen reads.

    Household size, income, district, savings, a car or a second home, or a circumstance such
    as illness or disability.
    """
    if volunteered_answers(text) or answers.read_assets(text) or answers.read_savings(text):
        return True
    circumstances = answers.read_circumstances(text)
    return bool(circumstances and circumstances.get("value"))
