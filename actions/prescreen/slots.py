"""Slot names of the pre-screen and the household facts built from them."""

from __future__ import annotations

from typing import Any

from rasa_sdk.interfaces import Tracker

from actions.prescreen.answers import FIELD_SLOTS

RESIDENCE = "prescreen_residence"
DISTRICT = FIELD_SLOTS["district"]
HOUSEHOLD_SIZE = FIELD_SLOTS["household_size"]
INCOME = FIELD_SLOTS["income"]
SAVINGS = FIELD_SLOTS["savings"]
ASSETS = FIELD_SLOTS["assets"]
CIRCUMSTANCES = FIELD_SLOTS["circumstances"]
INCOME_CANDIDATE = "prescreen_income_candidate"
UNSURE = "prescreen_unsure"
CORRECTION_PENDING = "prescreen_correction_pending"
CORRECTION_FIELD = "prescreen_correction_field"
REFERENCE = "prescreen_reference"
# The latest result, kept for "查看详细说明" (the short result shows only the verdicts).
DETAILS = "prescreen_details"

UNKNOWN_DISTRICT = "unknown"
ANSWER_SLOTS = (DISTRICT, HOUSEHOLD_SIZE, INCOME, SAVINGS, ASSETS, CIRCUMSTANCES)
ALL_SLOTS = (
    RESIDENCE,
    *ANSWER_SLOTS,
    INCOME_CANDIDATE,
    UNSURE,
    CORRECTION_PENDING,
    CORRECTION_FIELD,
    REFERENCE,
    DETAILS,
)


def _answer(tracker: Tracker, slot: str) -> dict[str, Any]:
    value = tracker.get_slot(slot)
    return value if isinstance(value, dict) else {"status": "unknown", "value": None}


def household_facts(tracker: Tracker) -> dict[str, Any]:
    """The facts for `POST /api/prescreen`, from the pre-screen slots."""
    residence = tracker.get_slot(RESIDENCE)
    district = tracker.get_slot(DISTRICT)
    size = _answer(tracker, HOUSEHOLD_SIZE)
    income = _answer(tracker, INCOME)
    savings = _answer(tracker, SAVINGS)
    assets = _answer(tracker, ASSETS)
    circumstances = _answer(tracker, CIRCUMSTANCES)
    asset_values = assets.get("value") or {}
    return {
        "residence": residence if residence in ("permit", "none") else "hukou",
        "district": district if district and district != UNKNOWN_DISTRICT else None,
        "household_size": size.get("value"),
        "household_size_status": size.get("status", "unknown"),
        "monthly_income": income.get("value"),
        "income_status": income.get("status", "unknown"),
        "income_approximate": bool(income.get("approximate")),
        "savings": savings.get("value"),
        "savings_status": savings.get("status", "unknown"),
        "has_vehicle": asset_values.get("vehicle"),
        "has_extra_housing": asset_values.get("extra_housing"),
        "assets_status": assets.get("status", "unknown"),
        "circumstances": circumstances.get("value") or [],
        "circumstances_status": circumstances.get("status", "unknown"),
    }
