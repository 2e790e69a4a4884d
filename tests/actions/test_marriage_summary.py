"""The booking summary shows what a masked ID number says (#19, point 10).

Beside `3301**********4016` the citizen sees the birth date and sex read from the number, so a
typo in the birth date can be seen; passports show nothing extra.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.marriage import Office, Policy
from actions.marriage import booking
from actions.marriage import common as s
from backoffice.records.marriage.policy import get_policy
from backoffice.records.marriage.seed import load_office_rows
from core.sealing import seal
from testkit.trackers import EMPTY_DOMAIN, make_tracker
from zhtext.city_time import city_today

TODAY = city_today()
DOMAIN_FILE = Path(__file__).resolve().parents[2] / "bot" / "domain" / "marriage.yml"
HIS_ID = "330106199506054016"  # 17th digit 1: a man born on 5 June 1995
HER_ID = "330102199311020742"  # 17th digit 4: a woman born on 2 November 1993


class FakeApi:
    """Offices and policy as the back office seeds them."""

    async def list_offices(self) -> list[Office]:
        return [Office.model_validate(row) for row in load_office_rows()]

    async def get_policy(self) -> Policy:
        return Policy.model_validate_json(get_policy().model_dump_json())


def summary_template() -> str:
    domain = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))
    return str(domain["responses"]["utter_marriage_summary"][0]["text"])


def summarise(slots: dict[str, Any], monkeypatch: Any) -> dict[str, Any]:
    monkeypatch.setattr(booking, "get_marriage_api", FakeApi)
    dispatcher = CollectingDispatcher()
    asyncio.run(
        booking.ActionAskMarriageConfirmed().run(
            dispatcher, make_tracker(slots=slots), EMPTY_DOMAIN
        )
    )
    summary: dict[str, Any] = dispatcher.messages[0]
    assert summary["response"] == "utter_marriage_summary"
    return summary


def slots(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        s.BUSINESS_TYPE: "marriage",
        s.OFFICE: "xihu",
        s.DATE: (TODAY + dt.timedelta(days=7)).isoformat(),
        s.HALF_DAY: "am",
        s.PARTY1_NAME: "张伟",
        s.PARTY1_ID: seal(HIS_ID),
        s.PARTY1_ID_KIND: "id_card",
        s.PARTY2_NAME: "李娜",
        s.PARTY2_ID: seal(HER_ID),
        s.PARTY2_ID_KIND: "id_card",
        s.PHONE: "13812345678",
    }
    return values | overrides


def test_an_id_number_tells_birth_date_and_sex() -> None:
    assert booking.id_details(HIS_ID, "id_card", today=TODAY) == "，1995年6月5日出生，男"
    assert booking.id_details(HER_ID, None, today=TODAY) == "，1993年11月2日出生，女"


def test_a_passport_or_an_unreadable_number_shows_nothing_more() -> None:
    assert booking.id_details("E12345678", "passport", today=TODAY) == ""
    assert booking.id_details("", "id_card", today=TODAY) == ""
    assert booking.id_details("330106199513054016", "id_card", today=TODAY) == ""  # month 13


def test_the_summary_shows_both_parties_birth_date_and_sex_beside_the_masked_numbers(
    monkeypatch: Any,
) -> None:
    summary = summarise(slots(), monkeypatch)
    assert summary["party1_id"] == "3301**********4016"
    assert summary["party1_id_details"] == "，1995年6月5日出生，男"
    assert summary["party2_id"] == "3301**********0742"
    assert summary["party2_id_details"] == "，1993年11月2日出生，女"
    values = {k: v for k, v in summary.items() if k not in ("response", "buttons")}
    text = summary_template().format(**values)
    assert "您本人：张*（3301**********4016，1995年6月5日出生，男）" in text
    assert "对方：李*（3301**********0742，1993年11月2日出生，女）" in text
    assert HIS_ID not in text and HER_ID not in text


def test_a_passport_holder_sees_only_the_masked_number(monkeypatch: Any) -> None:
    summary = summarise(
        slots(**{s.PARTY2_ID: seal("E12345678"), s.PARTY2_ID_KIND: "passport"}), monkeypatch
    )
    assert summary["party2_id"] == "E******78"
    assert summary["party2_id_details"] == ""
    values = {k: v for k, v in summary.items() if k not in ("response", "buttons")}
    assert "对方：李*（E******78）" in summary_template().format(**values)
