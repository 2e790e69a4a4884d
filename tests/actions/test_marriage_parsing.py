"""Reading the marriage booking answers: business type, offices, ID numbers, corrections, days."""

from __future__ import annotations

import datetime as dt

from actions.clients.marriage import Office
from actions.marriage.parsing import (
    format_day,
    is_affirmation,
    match_office,
    parse_business_type,
    parse_correction,
    parse_half_day_answer,
    parse_id_answer,
)
from backoffice.records.marriage.seed import load_office_rows
from tests.actions.marriage_support import TODAY, bookable, make_id, md
from zhtext.idcard import check_digit

OFFICES = [Office.model_validate(row) for row in load_office_rows()]


def test_business_type_words() -> None:
    assert parse_business_type("我们想领证") == "marriage"
    assert parse_business_type("预约离婚登记") == "divorce"
    assert parse_business_type("结婚证丢了想补办") == "reissue"
    assert parse_business_type("你好") is None


def test_offices_are_found_by_district_street_landmark_and_foreign_words() -> None:
    def code(text: str) -> str | None:
        found = match_office(text, OFFICES)
        return found.code if found else None

    assert code("西湖区") == "xihu"
    assert code("我在文三路附近") == "xihu"
    assert code("下沙那边") == "qiantang"
    assert code("武林广场旁边") == "gongshu"
    assert code("以前是下城区的") == "gongshu"
    assert code("我老婆是外国人") == "city"
    assert code("杭州市婚姻登记处") == "city"
    jianggan = match_office("江干", OFFICES)
    assert jianggan is not None and set(jianggan.codes) == {"shangcheng", "qiantang"}
    nearby = match_office("离我近的就行", OFFICES)
    assert nearby is not None and nearby.how == "nearby"
    assert match_office("随便", OFFICES) is None


def test_ids_and_corrections() -> None:
    valid = make_id(male=True)
    found = parse_id_answer(f"身份证号 {valid[:6]} {valid[6:14]} {valid[14:]}", today=TODAY)
    assert found is not None and found.number == valid and not found.needs_city_office
    broken = parse_id_answer(valid[:17] + ("0" if valid[17] != "0" else "1"), today=TODAY)
    assert broken is not None and broken.reason == "checksum"
    passport = parse_id_answer("护照 E12345678", today=TODAY)
    assert passport is not None and passport.kind == "passport" and passport.needs_city_office
    hk = "810000199001011234"
    hk = hk[:17] + check_digit(hk[:17])
    hk_answer = parse_id_answer(hk, today=TODAY)
    assert hk_answer is not None and hk_answer.needs_city_office
    correction = parse_correction("日期改成下周五")
    assert correction is not None and (correction.field, correction.new_text) == ("date", "下周五")
    party = parse_correction("对方名字写错了，应该是王芳")
    assert party is not None and (party.field, party.party, party.new_text) == (
        "name",
        "party2",
        "王芳",
    )
    assert parse_correction("确认") is None
    assert is_affirmation("确认") and not is_affirmation("不对")
    assert parse_half_day_answer("上午下午都行") == "either"
    assert parse_half_day_answer("下午吧") == "pm"


def test_days_are_shown_with_weekday_and_year_only_when_needed() -> None:
    day = bookable()
    shown = format_day(day, today=TODAY)
    assert shown.startswith(md(day)) and "周" in shown
    next_year = dt.date(TODAY.year + 1, 1, 4)
    assert format_day(next_year, today=TODAY).startswith(f"{TODAY.year + 1}年1月4日")
