"""Identity numbers and masking of personal data.

Resident identity numbers follow GB 11643-1999: 6-digit region code, 8-digit birth date, 3-digit
sequence (odd for men, even for women), and a check character computed with ISO 7064 MOD 11-2
("X" stands for 10). The same layout is used by residence permits for Hong Kong, Macao and Taiwan
residents (region 81/82/83) and by the 2023 permanent residence ID card for foreigners (starting
with 9). Input may use a lowercase "x", full-width digits and spaces.

Validation reports one reason code, so the assistant can say exactly what was wrong:
``empty``, ``chars``, ``length``, ``region``, ``birth_date``, ``checksum``.

Also here: a loose passport-number check, and masking for logs, handoff summaries and replies
(``mask_id_number``, ``mask_name``, ``mask_phone``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from zhtext.city_time import city_today
from zhtext.personal_forms import ID_SEPARATORS

__all__ = [
    "IdCheck",
    "IdReason",
    "PassportCheck",
    "PassportReason",
    "age_on",
    "check_digit",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "normalise_id_number",
    "validate_id_number",
    "validate_passport_number",
]

IdReason = Literal["empty", "chars", "length", "region", "birth_date", "checksum"]
PassportReason = Literal["empty", "chars", "length", "no_digit"]
Holder = Literal["resident", "hk_mo_tw_resident", "foreign_permanent_resident"]
Sex = Literal["male", "female"]

ID_LENGTH = 18
_OLD_ID_LENGTH = 15
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK_CHARS = "10X98765432"
_SEPARATORS = re.compile("[" + re.escape(ID_SEPARATORS) + "]")
_ID_CHARS = re.compile(r"[0-9]+X?")
_PASSPORT = re.compile(r"[A-Z0-9]+")
_MAINLAND_PROVINCES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54"}
    | {"61", "62", "63", "64", "65"}
)
_HK_MO_TW = frozenset({"81", "82", "83"})
_EARLIEST_BIRTH = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class IdCheck:
    """Outcome of checking an 18-character identity number.

    Attributes:
        valid: True when every check passed.
        reason: What was wrong (``chars``, ``length``, ``region``, ``birth_date``, ``checksum``,
            ``empty``), None when valid.
        number: The input without spaces, with ASCII digits and an uppercase X.
        birth_date: Date of birth (only when valid).
        sex: "male" or "female" from the 17th digit (only when valid).
        region_code: The first six digits (only when valid).
        holder: Kind of card: mainland resident, HK/Macao/Taiwan resident, or foreigner.
    """

    valid: bool
    reason: IdReason | None
    number: str
    birth_date: dt.date | None = None
    sex: Sex | None = None
    region_code: str | None = None
    holder: Holder | None = None

    def age_on(self, on: dt.date) -> int | None:
        """Return the holder's age in whole years on ``on``, or None if the number is invalid."""
        return age_on(self.birth_date, on) if self.birth_date else None


@dataclass(frozen=True)
class PassportCheck:
    """Outcome of the loose passport-number check.

    Attributes:
        valid: True when the number looks like a passport number.
        reason: ``empty``, ``chars``, ``length`` (5–20) or ``no_digit``; None when valid.
        number: The input uppercased, without spaces and dashes.
    """

    valid: bool
    reason: PassportReason | None
    number: str


def normalise_id_number(text: str) -> str:
    """Fold full-width characters, drop spaces and dashes, and uppercase the X."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


def check_digit(first17: str) -> str:
    """Compute the ISO 7064 MOD 11-2 check character for the first 17 digits.

    Args:
        first17: Exactly 17 ASCII digits.

    Returns:
        "0"–"9" or "X".

    Raises:
        ValueError: When ``first17`` is not 17 digits.
    """
    if len(first17) != ID_LENGTH - 1 or not first17.isascii() or not first17.isdigit():
        raise ValueError("expected 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def validate_id_number(text: str, *, today: dt.date | None = None) -> IdCheck:
    """Check a resident identity number (GB 11643) and read the birth date and sex.

    Args:
        text: What the citizen typed.
        today: Birth dates after this day are rejected; defaults to the current date.

    Returns:
        The outcome, with the first thing found wrong, in the order: empty, chars, length,
        region, birth_date, checksum.
    """
    number = normalise_id_number(text)
    if not number:
        return IdCheck(False, "empty", number)
    if not _ID_CHARS.fullmatch(number):
        return IdCheck(False, "chars", number)
    if len(number) != ID_LENGTH:
        return IdCheck(False, "length", number)
    holder = _holder(number)
    if holder is None:
        return IdCheck(False, "region", number)
    birth_date = _birth_date(number[6:14], today or city_today())
    if birth_date is None:
        return IdCheck(False, "birth_date", number)
    if check_digit(number[:17]) != number[17]:
        return IdCheck(False, "checksum", number)
    sex: Sex = "male" if int(number[16]) % 2 else "female"
    return IdCheck(True, None, number, birth_date, sex, number[:6], holder)


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Return the age in whole years on ``on`` (someone born on 29 February ages on 1 March)."""
    had_birthday = (on.month, on.day) >= (birth_date.month, birth_date.day)
    return on.year - birth_date.year - (0 if had_birthday else 1)


def validate_passport_number(text: str) -> PassportCheck:
    """Loosely check a passport number: 5–20 letters and digits, at least one digit.

    Args:
        text: What the citizen typed; spaces and dashes are ignored.

    Returns:
        The outcome with a reason code.
    """
    number = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
    if not number:
        return PassportCheck(False, "empty", number)
    if not _PASSPORT.fullmatch(number):
        return PassportCheck(False, "chars", number)
    if not 5 <= len(number) <= 20:
        return PassportCheck(False, "length", number)
    if not any(char.isdigit() for char in number):
        return PassportCheck(False, "no_digit", number)
    return PassportCheck(True, None, number)


def mask_id_number(text: str) -> str:
    """Mask an identity or passport number: "330106199001011234" → "3301**********1234".

    Identity numbers (15 or more characters) keep their first and last four characters; shorter
    numbers such as passports keep the first one and the last two ("E******78").
    """
    number = normalise_id_number(text)
    if len(number) >= _OLD_ID_LENGTH:
        return number[:4] + "*" * (len(number) - 8) + number[-4:]
    if len(number) >= 7:
        return number[0] + "*" * (len(number) - 3) + number[-2:]
    if len(number) > 2:
        return "*" * (len(number) - 2) + number[-2:]
    return "*" * len(number)


def mask_name(name: str) -> str:
    """Keep the first character of a name: "张三丰" → "张**", "张三" → "张*"."""
    cleaned = name.strip()
    if len(cleaned) <= 1:
        return "*" * len(cleaned)
    return cleaned[0] + "".join(" " if char == " " else "*" for char in cleaned[1:])


def mask_phone(text: str) -> str:
    """Mask a phone number: "13812345678" → "138****5678", "0571-87008174" → "0571-****8174".

    Separators are dropped except the dash after an area code; "+86" is kept.
    """
    cleaned = re.sub(r"[\s()（）]", "", unicodedata.normalize("NFKC", text))
    prefix = ""
    if cleaned.startswith("+86"):
        prefix, cleaned = "+86 ", cleaned[3:]
    area, dash, local = cleaned.rpartition("-")
    if dash and area.isdigit() and local.isdigit():
        return f"{prefix}{area}-{_mask_digits(local, keep_start=0)}"
    digits = cleaned.replace("-", "")
    if len(digits) == 11 and digits.startswith("1"):
        return prefix + _mask_digits(digits, keep_start=3)
    return prefix + _mask_digits(digits, keep_start=0)


def _mask_digits(digits: str, *, keep_start: int) -> str:
    keep_end = 4 if len(digits) > 6 else max(len(digits) - 4, 0)
    hidden = len(digits) - keep_start - keep_end
    if hidden <= 0:
        return "*" * len(digits)
    return digits[:keep_start] + "*" * hidden + digits[len(digits) - keep_end :]


def _holder(number: str) -> Holder | None:
    if number[0] == "9":  # 2023 foreigner card: 9, province of issue, nationality code
        return "foreign_permanent_resident" if number[1:3] in _MAINLAND_PROVINCES else None
    if number[:2] in _HK_MO_TW:
        return "hk_mo_tw_resident"
    if number[:2] in _MAINLAND_PROVINCES:
        return "resident"
    return None


def _birth_date(digits: str, today: dt.date) -> dt.date | None:
    try:
        birth = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
    if not _EARLIEST_BIRTH <= birth <= today:
        return None
    return birth
