"""Reading a citizen's answers for the marriage booking (pure functions, no I/O).

Dates, half-days, ID numbers, phones and districts are parsed by `zhtext`; this module adds what is
specific to the booking: which business, which office (district, street, landmark, foreign
cases), names, and corrections such as "日期改成下周五". The words live in `vocabulary.yml`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from actions.clients.marriage import HalfDay, Office
from zhtext.dates import parse_date, parse_half_day
from zhtext.idcard import IdCheck, validate_id_number, validate_passport_number
from zhtext.places import find_district

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.yml")
CITY_LEVEL = "city"

Field = Literal["business_type", "office", "date", "half_day", "name", "id", "phone"]
Party = Literal["party1", "party2"]
_LETTERS = re.compile(r"[A-Za-z]")
_END_PUNCTUATION = " ,.!~，。！～、…"
_SEPARATORS = re.compile(r"[\s,.!~，。！～、…;；:]+")
_ID_CANDIDATE = re.compile(r"[0-9０-９][0-9０-９\s\-]{13,}[0-9０-９xX]|[A-Za-z]{1,2}\s?\d{6,9}")


@dataclass(frozen=True)
class Vocabulary:
    """The words of `vocabulary.yml`."""

    raw: dict[str, Any]

    def words(self, key: str) -> list[str]:
        """A word list."""
        return [str(w) for w in self.raw[key]]

    def mapping(self, key: str) -> dict[str, list[str]]:
        """A mapping of code → word list, in file order."""
        return {str(k): [str(w) for w in v] for k, v in self.raw[key].items()}

    def text(self, key: str) -> str:
        """A single string."""
        return str(self.raw[key])


@cache
def vocabulary() -> Vocabulary:
    """The vocabulary file, read once per process."""
    with VOCABULARY_FILE.open(encoding="utf-8") as handle:
        return Vocabulary(yaml.safe_load(handle))


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _has_any(text: str, words: Sequence[str]) -> bool:
    return any(word in text for word in words)


# ---------------------------------------------------------------- business type


def parse_business_type(text: str) -> str | None:
    """The business: "结婚证丢了" → reissue, "我们要离婚" → divorce, "预约领证" → marriage."""
    cleaned = _clean(text)
    for code, words in vocabulary().mapping("booking_type_words").items():
        if _has_any(cleaned, words):
            return code
    return None


# ---------------------------------------------------------------- office


@dataclass(frozen=True)
class OfficeMatch:
    """The office(s) a citizen's words point to.

    Attributes:
        codes: Office codes meant; more than one means the assistant must ask which.
        how: "name", "district", "keyword", "city_words", "former_merged", "former_split" or
            "nearby" (the citizen asked for the nearest office without saying where).
        matched: The words found, e.g. "文三路" or "江干".
    """

    codes: tuple[str, ...]
    how: str
    matched: str = ""

    @property
    def code(self) -> str | None:
        """The office when exactly one is meant."""
        return self.codes[0] if len(self.codes) == 1 else None


def match_office(text: str, offices: Sequence[Office]) -> OfficeMatch | None:
    """Find the office meant by a district, street, landmark or office name.

    Args:
        text: e.g. "西湖区", "文三路附近", "下沙", "我对象是外国人", "离我近的".
        offices: The offices of the back office.

    Returns:
        The match, or None when no place is named.
    """
    cleaned = _clean(text)
    for office in offices:
        if office.name in cleaned:
            return OfficeMatch((office.code,), "name", office.name)
    city = next((o for o in offices if o.level == CITY_LEVEL), None)
    if city is not None and _has_any(cleaned, vocabulary().words("city_office_words")):
        return OfficeMatch((city.code,), "city_words")
    district = find_district(cleaned)
    if district is not None:
        by_district = {o.district_code: o.code for o in offices if o.level != CITY_LEVEL}
        codes = tuple(by_district[d.code] for d in district.candidates if d.code in by_district)
        if codes:
            how = "district"
            if district.former is not None:
                how = f"former_{district.former.change}"
            return OfficeMatch(codes, how, district.matched)
    keywords = sorted(
        ((keyword, office.code) for office in offices for keyword in office.keywords),
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
    for keyword, code in keywords:
        if keyword in cleaned:
            return OfficeMatch((code,), "keyword", keyword)
    if _has_any(cleaned, vocabulary().words("nearby_words")):
        return OfficeMatch((), "nearby")
    return None


# ---------------------------------------------------------------- date and half-day


def parse_booking_date(text: str, *, today: dt.date) -> tuple[dt.date | None, HalfDay | None]:
    """The day (and half-day) named, e.g. "下周三上午", "5月20号", "七夕", "明天"."""
    parsed = parse_date(_clean(text), today=today)
    if parsed is None:
        return None, parse_half_day(_clean(text))
    return parsed.date, parsed.half_day


def parse_half_day_answer(text: str) -> HalfDay | Literal["either"] | None:
    """The half-day: "上午" → am, "下午" → pm, "上午下午都行" → either, else None."""
    cleaned = _clean(text).lower()
    if _has_any(cleaned, vocabulary().words("either_half_day_words")):
        return "either"
    return parse_half_day(cleaned)


def format_day(day: dt.date, *, today: dt.date) -> str:
    """A day as citizens read it, "12月3日（周四）"; with the year when not this year."""
    words = vocabulary()
    template = words.text("date_format" if day.year == today.year else "date_format_other_year")
    weekday = words.words("weekdays")[day.weekday()]
    return template.format(year=day.year, month=day.month, day=day.day, weekday=weekday)


def half_day_label(half_day: str) -> str:
    """The half-day as citizens read it: "am" → 上午."""
    return str(vocabulary().raw["half_days"][half_day])


# ---------------------------------------------------------------- people


@dataclass(frozen=True)
class IdAnswer:
    """An identity document number the citizen gave.

    Attributes:
        kind: "id_card" or "passport".
        number: Normalised number (only when valid).
        reason: Why it was rejected (idcard reasons, or "passport_<reason>"); None when valid.
        check: The ID card check (ID cards only).
    """

    kind: Literal["id_card", "passport"]
    number: str | None
    reason: str | None
    check: IdCheck | None = None

    @property
    def needs_city_office(self) -> bool:
        """Passports, HK/Macao/Taiwan permits and foreigners' cards go to the city office."""
        if self.kind == "passport":
            return True
        return self.check is not None and self.check.holder not in (None, "resident")


def parse_id_answer(text: str, *, today: dt.date) -> IdAnswer | None:
    """An ID card or passport number in the text; None when there is none at all."""
    cleaned = _clean(text)
    found = _ID_CANDIDATE.search(cleaned)
    candidate = found.group(0) if found else cleaned
    digits = sum(ch.isdigit() for ch in candidate)
    if digits < 5:
        return None
    letters = _LETTERS.findall(candidate.rstrip("xX"))
    if letters or "护照" in cleaned:
        passport = validate_passport_number(candidate)
        if not passport.valid:
            return IdAnswer("passport", None, f"passport_{passport.reason}")
        return IdAnswer("passport", passport.number, None)
    check = validate_id_number(candidate, today=today)
    if not check.valid:
        return IdAnswer("id_card", None, check.reason, check)
    return IdAnswer("id_card", check.number, None, check)


# ---------------------------------------------------------------- confirm and corrections


def has_question_marker(text: str) -> bool:
    """The text contains a question word or mark ("？", "吗", "呢", "能不能", "多少" …)."""
    return _has_any(_clean(text).lower(), vocabulary().words("question_markers"))


def reads_as_question(text: str) -> bool:
    """A question rather than an answer.

    A trailing "可以吗？" / "有名额吗" after an answer is only a check on it: "12月3号可以吗？"
    is an answer, "结婚要带什么材料？" and "可以周末去吗？" are questions.
    """
    cleaned = _clean(text).lower().rstrip(_END_PUNCTUATION + "?？")
    for tail in sorted(vocabulary().words("answer_check_tails"), key=len, reverse=True):
        if cleaned.endswith(tail) and len(cleaned) > len(tail):
            cleaned = cleaned[: -len(tail)]
            break
    return has_question_marker(cleaned)


@cache
def _affirmation_pattern() -> re.Pattern[str]:
    words = vocabulary()
    phrases = sorted(
        {*words.words("affirm_words"), *words.words("affirm_fillers")}, key=len, reverse=True
    )
    return re.compile("(?:" + "|".join(re.escape(p) for p in phrases) + ")+")


def is_affirmation(text: str) -> bool:
    """The whole message confirms: "确认", "对的", "好", "对，就这样", "嗯嗯 确认预约".

    Every part of the message must be a confirmation word or a filler such as "嗯" or "吧";
    a question ("可以带孩子吗？"), a change ("不对") or any other content ("对方叫王强") is not
    a confirmation.
    """
    cleaned = _clean(text).lower()
    words = vocabulary()
    if has_question_marker(cleaned) or _has_any(cleaned, words.words("change_words")):
        return False
    parts = [part for part in _SEPARATORS.split(cleaned) if part]
    if not parts or not all(_affirmation_pattern().fullmatch(part) for part in parts):
        return False
    return any(_has_any(part, words.words("affirm_words")) for part in parts)


def wants_change(text: str) -> bool:
    """The citizen says something should be changed ("改", "不对", "写错了")."""
    return _has_any(_clean(text), vocabulary().words("change_words"))


@dataclass(frozen=True)
class Correction:
    """Which answer the citizen wants to change, and the new value if they said it."""

    field: Field
    party: Party | None
    new_text: str
    source: str = ""


def parse_correction(text: str) -> Correction | None:
    """What to change: "日期改成下周五" → (date, "下周五"); "对方名字写错了" → (name, party2)."""
    cleaned = _clean(text)
    words = vocabulary()
    if not wants_change(cleaned):
        return None
    field: Field | None = None
    for code, field_words in words.mapping("field_words").items():
        if _has_any(cleaned, field_words):
            field = code  # type: ignore[assignment]
            break
    if field is None:
        return None
    party: Party | None = None
    if _has_any(cleaned, words.words("party2_words")):
        party = "party2"
    elif _has_any(cleaned, words.words("party1_words")):
        party = "party1"
    new_text = ""
    for marker in words.words("value_markers"):
        if marker in cleaned:
            new_text = cleaned.split(marker, 1)[1].strip(" ：:，,。")
            break
    return Correction(field, party, new_text, cleaned)
