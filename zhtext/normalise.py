"""Gateway normalisation of citizen input: done once, before anything else sees the text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc

_WHITESPACE = re.compile(r"\s+")
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


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese characters to Simplified (OpenCC `t2s`, then a few variants)."""
    simplified = str(_t2s().convert(text))
    return _VARIANT_PATTERN.sub(lambda match: _VARIANTS[match.group(0)], simplified)


def normalise(text: str, *, max_chars: int) -> NormalisedText:
    """Trim, fold full-width characters, convert to Simplified Chinese and cap the length.

    Args:
        text: What the citizen typed.
        max_chars: Longest text passed on; longer input is cut and flagged.

    Returns:
        The normalised text, with whether it was truncated.
    """
    cleaned = unicodedata.normalize("NFC", text)
    cleaned = "".join(c for c in cleaned if unicodedata.category(c) != "Cc" or c in "\n\t")
    cleaned = _WHITESPACE.sub(" ", to_halfwidth(cleaned)).strip()
    cleaned = to_simplified(cleaned)
    original_length = len(cleaned)
    truncated = original_length > max_chars
    if truncated:
        cleaned = cleaned[:max_chars].rstrip()
    return NormalisedText(text=cleaned, truncated=truncated, original_length=original_length)
