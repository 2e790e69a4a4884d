"""Unified social credit codes (统一社会信用代码) of companies and organisations.

GB 32100-2015: 18 characters from a 31-character alphabet (digits and upper-case letters without
I, O, Z, S, V). Position 1 is the registering authority (e.g. 9 工商, 5 民政), position 2 the kind
of organisation, positions 3–8 the region code (digits), positions 9–17 the organisation code
(GB 11714) and position 18 a check character: with weights 3^i mod 31, the check value is
``31 - (weighted sum mod 31)`` (31 counts as 0).

Validation reports one reason code, so the assistant can say exactly what was wrong:
``empty``, ``chars``, ``length``, ``region``, ``checksum``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CREDIT_CODE_LENGTH",
    "CreditCodeCheck",
    "CreditCodeReason",
    "credit_check_character",
    "mask_credit_code",
    "normalise_credit_code",
    "validate_credit_code",
]

CreditCodeReason = Literal["empty", "chars", "length", "region", "checksum"]

CREDIT_CODE_LENGTH = 18
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {char: value for value, char in enumerate(_ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(CREDIT_CODE_LENGTH - 1))
_SEPARATORS = re.compile(r"[\s\-_.·]")
_REGION = re.compile(r"\d{6}")


@dataclass(frozen=True)
class CreditCodeCheck:
    """Outcome of checking a unified social credit code.

    Attributes:
        valid: True when every check passed.
        reason: What was wrong (``empty``, ``chars``, ``length``, ``region``, ``checksum``),
            None when valid.
        code: The input without spaces, with ASCII characters in upper case.
    """

    valid: bool
    reason: CreditCodeReason | None
    code: str


def normalise_credit_code(text: str) -> str:
    """Fold full-width characters, drop spaces and dashes, and upper-case the letters."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


def credit_check_character(first17: str) -> str:
    """Compute the GB 32100-2015 check character for the first 17 characters.

    Args:
        first17: Exactly 17 characters of the code alphabet.

    Returns:
        One character of the alphabet.

    Raises:
        ValueError: When ``first17`` has the wrong length or a character outside the alphabet.
    """
    if len(first17) != CREDIT_CODE_LENGTH - 1 or any(c not in _VALUES for c in first17):
        raise ValueError("expected 17 characters of the credit-code alphabet")
    total = sum(_VALUES[char] * weight for char, weight in zip(first17, _WEIGHTS, strict=True))
    return _ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(text: str) -> CreditCodeCheck:
    """Check a unified social credit code (GB 32100-2015).

    Args:
        text: What the citizen typed; lower case, full-width characters and spaces are accepted.

    Returns:
        The outcome, with the first thing found wrong, in the order: empty, chars, length,
        region, checksum.
    """
    code = normalise_credit_code(text)
    if not code:
        return CreditCodeCheck(False, "empty", code)
    if any(char not in _VALUES for char in code):
        return CreditCodeCheck(False, "chars", code)
    if len(code) != CREDIT_CODE_LENGTH:
        return CreditCodeCheck(False, "length", code)
    if not _REGION.fullmatch(code[2:8]):
        return CreditCodeCheck(False, "region", code)
    if credit_check_character(code[:17]) != code[17]:
        return CreditCodeCheck(False, "checksum", code)
    return CreditCodeCheck(True, None, code)


def mask_credit_code(text: str) -> str:
    """Mask a credit code for display: "91330100716105852F" → "9133**********852F"."""
    code = normalise_credit_code(text)
    if len(code) <= 8:
        return "*" * len(code)
    return code[:4] + "*" * (len(code) - 8) + code[-4:]
