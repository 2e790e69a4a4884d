"""Gateway normalisation of citizen input: done once, before anything else sees the text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc

_WHITESPACE = re.compile(r"\s+")
# Characters that show nothing but split words for NLU and crisis words ("低\u200b保"):
# every format character (Unicode category Cf: zero-width space and joiners, BOM, soft hyphen,
# direction marks, tag characters), variation selectors, and blank letters that render as space.
_INVISIBLE_EXTRA = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_VARIATION_SELECTORS = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))
# Full-width ASCII look-alikes (ＡＢＣ１２３，？！) become half-width; 。、【】 and other CJK
# punctuation outside that block are kept as typed.
_FULLWIDTH_OFFSET = 0xFEE0
# Variants OpenCC's t2s keeps but mainland readers (and our training data) write otherwise:
# Taiwan's 妳/祢 (you), 甚麼 → 甚么 → 什么, 牠 (it).
_VARIANTS = {"妳": "你", "祢": "你", "甚么": "什么", "牠": "它"}
_VARIANT_PATTERN = re.compile("|".join(sorted(_VARIANTS, key=len, reverse=True)))


@dataclass(frozen=True)
class NormalisedText:
    """The text after normalisation and what was done to it."""

    text: str
    truncated: bool
    original_length: int

    @property
    def is_empty(self) -> bool:
        """True when nothing meaningful is left to send to the assistant."""
        return not self.text


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_halfwidth(text: str) -> str:
    """Convert full-width ASCII letters, digits and symbols (and the ideographic space)."""
    chars = []
    for char in text:
        code = ord(char)
        if code == 0x3000:
            chars.append(" ")
        elif 0xFF01 <= code <= 0xFF5E:
            chars.append(chr(code - _FULLWIDTH_OFFSET))
        else:
            chars.append(char)
    return "".join(chars)


def is_invisible(char: str) -> bool:
    """True for a character that shows nothing and is not a space (removed, not kept as one)."""
    code = ord(char)
    if unicodedata.category(char) == "Cf" or char in _INVISIBLE_EXTRA:
        return True
    return any(low <= code <= high for low, high in _VARIATION_SELECTORS)


def strip_invisible(text: str) -> str:
    """`text` without control characters (tab and newline kept) and invisible characters."""
    return "".join(
        char
        for char in text
        if not is_invisible(char) and (unicodedata.category(char) != "Cc" or char in "\n\t")
    )


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese characters to Simplified (OpenCC `t2s`, then a few variants)."""
    simplified = str(_t2s().convert(text))
    return _VARIANT_PATTERN.sub(lambda match: _VARIANTS[match.group(0)], simplified)


def normalise(text: str, *, max_chars: int) -> NormalisedText:
    """Trim, drop invisible characters, fold widths, convert to Simplified Chinese, cap the length.

    The one normalisation of citizen text (connectors/router.py calls it for every channel):
    zero-width and other format characters are removed, every kind of space (full-width,
    no-break, line separators) becomes one ASCII space.

    Args:
        text: What the citizen typed.
        max_chars: Longest text passed on; longer input is cut and flagged.

    Returns:
        The normalised text, with whether it was truncated.
    """
    cleaned = unicodedata.normalize("NFC", text)
    cleaned = strip_invisible(cleaned)
    cleaned = _WHITESPACE.sub(" ", to_halfwidth(cleaned)).strip()
    cleaned = to_simplified(cleaned)
    original_length = len(cleaned)
    truncated = original_length > max_chars
    if truncated:
        cleaned = cleaned[:max_chars].rstrip()
    return NormalisedText(text=cleaned, truncated=truncated, original_length=original_length)
