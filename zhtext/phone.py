"""Personal phone numbers: mainland mobiles and fixed lines, with a reason when rejected.

Accepted: mobiles ``1[3-9]`` + 9 digits, with or without ``+86`` / ``86`` / ``0086``; fixed lines
with an area code ("0571-87008174", "(0571)87008174", "010 62345678") or a bare 8-digit local
number, taken as Hangzhou (0571). Spaces, dashes and dots inside the number are ignored. A number
read out digit by digit in Chinese ("幺三八一二三四五六七八", "一三八 一二三四 五六七八") is
read as digits (runs of seven or more Chinese digits only, so words like "一下" stay as they are).

Rejected with a reason code: ``empty`` (no digits), ``service_number`` (12345, 110, 95xxx,
400/800 numbers: not a personal phone), ``format`` (e.g. an 11-digit number starting 12),
``length`` (too short or too long).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from zhtext.personal_forms import CHINESE_PHONE_DIGITS, PHONE_SEPARATORS

__all__ = ["HANGZHOU_AREA_CODE", "PhoneKind", "PhoneReason", "PhoneResult", "parse_phone"]

HANGZHOU_AREA_CODE = "0571"

PhoneKind = Literal["mobile", "landline"]
PhoneReason = Literal["empty", "service_number", "format", "length"]

_INNER_SEPARATORS = re.compile(r"(?<=\d)[" + re.escape(PHONE_SEPARATORS) + r"]+(?=\d)")
_BRACKETED_AREA = re.compile(r"[(（]\s*(0\d{2,3})\s*[)）]\s*(?=\d)")
_CANDIDATE = re.compile(r"\+?\d+")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_SHORT_SERVICE = re.compile(r"1\d{2,4}")  # 110, 120, 12345, 12349, 95-/96- below
_LOCAL = re.compile(r"[2-9]\d{6,7}")
_HANGZHOU_LOCAL = re.compile(r"[2-9]\d{7}")  # Hangzhou local numbers have eight digits
# Phone numbers are read with 幺 for 1 as well.
_CHINESE_DIGITS = {char: str(value) for char, value in CHINESE_PHONE_DIGITS.items()}
_CHINESE_DIGIT = "[" + "".join(_CHINESE_DIGITS) + "]"
_CHINESE_DIGIT_RUN = re.compile(_CHINESE_DIGIT + r"(?:[\s\-]?" + _CHINESE_DIGIT + "){6,}")


def _chinese_digits_to_ascii(text: str) -> str:
    """Read runs of seven or more Chinese digits ("一三八…") as ASCII digits."""
    return _CHINESE_DIGIT_RUN.sub(
        lambda match: "".join(_CHINESE_DIGITS.get(char, char) for char in match.group(0)), text
    )


@dataclass(frozen=True)
class PhoneResult:
    """A parsed phone number, or why the text is not one.

    Attributes:
        number: "13812345678" or "0571-87008174" when valid, else None.
        kind: "mobile" or "landline" when valid, else None.
        reason: Why it was rejected, None when valid.
    """

    number: str | None
    kind: PhoneKind | None
    reason: PhoneReason | None

    @property
    def valid(self) -> bool:
        """True when a personal phone number was found."""
        return self.number is not None


def parse_phone(text: str, *, default_area_code: str = HANGZHOU_AREA_CODE) -> PhoneResult:
    """Find and normalise the phone number in a citizen's answer.

    Args:
        text: E.g. "138 1234 5678", "+86-138-1234-5678", "0571-87008174", "87008174".
        default_area_code: Area code assumed for a bare local number.

    Returns:
        The first valid number, or the reason the (longest) candidate was rejected.
    """
    cleaned = _chinese_digits_to_ascii(unicodedata.normalize("NFKC", text))
    cleaned = _BRACKETED_AREA.sub(r"\1-", cleaned)
    candidates = _CANDIDATE.findall(_INNER_SEPARATORS.sub("", cleaned))
    if not candidates:
        return PhoneResult(None, None, "empty")
    results = [_classify(candidate, default_area_code) for candidate in candidates]
    for result in results:
        if result.valid:
            return result
    longest = max(range(len(candidates)), key=lambda i: len(candidates[i].lstrip("+")))
    return results[longest]


def _classify(candidate: str, default_area_code: str) -> PhoneResult:
    international = candidate.startswith("+")
    digits = candidate.lstrip("+")
    if digits.startswith("0086"):
        digits, international = digits[4:], True
    elif digits.startswith("86") and (international or (len(digits) == 13 and digits[2] == "1")):
        digits, international = digits[2:], True
    if international and digits and not digits.startswith(("1", "0")):
        digits = "0" + digits  # "+86 571 87008174": the trunk 0 is dropped abroad
    if _is_service(digits):
        return _rejected("service_number")
    if digits.startswith("1"):
        if len(digits) != 11:
            return _rejected("length")
        if not _MOBILE.fullmatch(digits):
            return _rejected("format")
        return PhoneResult(digits, "mobile", None)
    if digits.startswith("0"):
        return _landline_with_area_code(digits)
    if _HANGZHOU_LOCAL.fullmatch(digits):
        return PhoneResult(f"{default_area_code}-{digits}", "landline", None)
    return _rejected("length")


def _landline_with_area_code(digits: str) -> PhoneResult:
    if len(digits) < 2:
        return _rejected("length")  # a lone "0" (found by bench/fuzz.py: was an IndexError)
    # 010 and 02x are three-digit area codes; all others have four digits.
    area_length = 3 if digits[1] in "12" else 4
    area, local = digits[:area_length], digits[area_length:]
    if _is_service(local):
        return _rejected("service_number")  # "0571-12345"
    if len(local) not in (7, 8):
        return _rejected("length")
    if not _LOCAL.fullmatch(local):
        return _rejected("format")  # local numbers never start with 0 or 1
    return PhoneResult(f"{area}-{local}", "landline", None)


def _is_service(digits: str) -> bool:
    return bool(
        _SHORT_SERVICE.fullmatch(digits)
        or (digits.startswith(("95", "96")) and 5 <= len(digits) <= 6)
        or (digits.startswith(("400", "800")) and len(digits) == 10)
    )


def _rejected(reason: PhoneReason) -> PhoneResult:
    return PhoneResult(None, None, reason)
