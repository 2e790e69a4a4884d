"""Written forms of identity and mobile numbers: one definition for parsers and scrubber.

The parsers (`zhtext.idcard`, `zhtext.phone`) normalise a citizen's text with NFKC and drop the
separators below; the tracker-store scrubber (`bot_plugins.scrubbing`, loaded by Rasa) finds the
same numbers in raw text, before any normalisation. Both take their characters from here, so a
form the assistant accepts is a form the scrubber masks.

Standard library only, and Python 3.10: Rasa's environment imports this module.
"""

from __future__ import annotations

import re
import unicodedata

from zhtext.digits import CN_DIGIT_VALUE

__all__ = [
    "CHINESE_PHONE_DIGITS",
    "ID_LIKE",
    "ID_SEPARATORS",
    "MOBILE_LIKE",
    "PHONE_SEPARATORS",
    "digit_value",
]

# Characters allowed inside an identity number, after NFKC ("330106.19920315.3586",
# "330106_1992…", "3301 0619 …", "330106-1992…", "330106·1992…").
ID_SEPARATORS = " \t\n\r\f\v-_.·"
# Characters allowed between the digits of a phone number, after NFKC.
PHONE_SEPARATORS = " \t\n\r\f\v-—–.·/"
# Digits read out in Chinese in a phone number ("幺三八…", "一三八 一二三四 五六七八").
CHINESE_PHONE_DIGITS = CN_DIGIT_VALUE | {"幺": 1}


def _raw_forms(characters: str) -> str:
    """Every character whose NFKC form is one of `characters` (full-width, ideographic ...)."""
    wanted = set(characters)
    found = set(characters)
    # The full-width block and the ideographic space are where NFKC variants of ASCII live.
    for code in (*range(0xFF01, 0xFF5F), 0x3000):
        if unicodedata.normalize("NFKC", chr(code)) in wanted:
            found.add(chr(code))
    return "".join(sorted(found))


def _class(characters: str) -> str:
    return "[" + "".join(re.escape(c) for c in characters) + "]"


_DIGIT = _class(_raw_forms("0123456789"))
_ID_LAST = _class(_raw_forms("0123456789Xx"))
_ID_SEP = _class(_raw_forms(ID_SEPARATORS)) + "*"
_PHONE_SEP = _class(_raw_forms(PHONE_SEPARATORS)) + "*"
_ANY_PHONE_DIGIT = _class(_raw_forms("0123456789") + "".join(CHINESE_PHONE_DIGITS))
_ALNUM = _class(_raw_forms("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))


def _phone_digit(values: str) -> str:
    """A class of the phone digits standing for one of `values`, in any form."""
    chinese = "".join(c for c, value in CHINESE_PHONE_DIGITS.items() if str(value) in values)
    return _class(_raw_forms(values) + chinese)


# A 15-18 character identity number (the parser's lengths; a mistyped one is personal data too),
# separators anywhere inside it.
ID_LIKE = re.compile(
    rf"(?<!{_ALNUM}){_DIGIT}(?:{_ID_SEP}{_DIGIT}){{13,16}}(?:{_ID_SEP}{_ID_LAST})(?!{_ALNUM})"
)
# A mainland mobile number (1[3-9] + 9 digits), with +86 / 0086 in front or not, in ASCII,
# full-width or Chinese digits, separators between the digits.
MOBILE_LIKE = re.compile(
    rf"(?<!{_ALNUM})(?:(?:[+＋]|0{_PHONE_SEP}0)?{_PHONE_SEP}8{_PHONE_SEP}6{_PHONE_SEP})?"
    rf"{_phone_digit('1')}{_PHONE_SEP}{_phone_digit('3456789')}(?:{_PHONE_SEP}{_ANY_PHONE_DIGIT}){{9}}(?!{_ALNUM})"
)


def digit_value(character: str) -> str:
    """The ASCII digit (or "X") a digit character of either pattern stands for."""
    if character in CHINESE_PHONE_DIGITS:
        return str(CHINESE_PHONE_DIGITS[character])
    return unicodedata.normalize("NFKC", character).upper()
