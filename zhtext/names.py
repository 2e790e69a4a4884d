"""A person's name as citizens give it: "我老公叫王强", "名字是王小明吧", "张丽 13812345678".

One reading for every form that asks for a name (the marriage parties, an eldercare visitor, a
donor): the phone number and contact words said with it, a lead-in ("我叫", "对方的名字是",
"参观人是", "就写") and polite tails ("吧", "谢谢") are dropped; what is left must be written as
a name: 2–6 Chinese characters (minority names with "·" parts: "阿依古丽·买买提") or a Latin
name ("Anna Smith"). Pronouns, relationship and polite words are never names ("他", "我老公",
"王小明同学"). The words are in ``data/names.yml``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from zhtext.yaml_fields import YamlFields

__all__ = ["NAMES_FILE", "NameWordsError", "is_written_as_name", "parse_person_name"]

NAMES_FILE = Path(__file__).resolve().parent / "data" / "names.yml"
MAX_NAME_CHARS = 30
_WORD_LISTS = (
    "lead_in_owners",
    "lead_in_relations",
    "lead_in_labels",
    "lead_in_verbs",
    "polite_tails",
    "contact_words",
    "not_name_words",
)
_CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,6}(?:[·•．.][\u4e00-\u9fff]{1,10})*")
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z .'\-]{1,29}")
_PHONE_RUN = re.compile(r"\+?\d[\d\s-]{6,}")
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
_END_PUNCTUATION = " ,.!~，。！～、…:：;；"


class NameWordsError(ValueError):
    """``data/names.yml`` is malformed."""


_FIELDS = YamlFields(NameWordsError)


@cache
def _words() -> Mapping[str, tuple[str, ...]]:
    def build(document: object) -> Mapping[str, tuple[str, ...]]:
        mapping = _FIELDS.mapping(document, "the file")
        words: dict[str, tuple[str, ...]] = {}
        for key in _WORD_LISTS:
            entries = _FIELDS.entries(mapping.get(key), key)
            if not all(isinstance(word, str) and word for word in entries):
                raise NameWordsError(f"{key} must be a list of non-empty words")
            words[key] = tuple(sorted(entries, key=len, reverse=True))
        return words

    return _FIELDS.load(NAMES_FILE, build)


def _any_of(key: str) -> str:
    return "|".join(re.escape(word) for word in _words()[key])


@cache
def _lead_in() -> re.Pattern[str]:
    """[谁] [的] [称谓] [的] [名字] 叫/是 at the start ("叫/是" optional after a label)."""
    return re.compile(
        rf"^(?:{_any_of('lead_in_owners')})?的?(?:{_any_of('lead_in_relations')})?的?"
        rf"(?:(?:{_any_of('lead_in_labels')})(?:{_any_of('lead_in_verbs')})?"
        rf"|(?:{_any_of('lead_in_verbs')}))\s*"
    )


@cache
def _contact_words() -> re.Pattern[str]:
    return re.compile(_any_of("contact_words"))


@cache
def _polite_tail() -> re.Pattern[str]:
    return re.compile(rf"(?:{_any_of('polite_tails')})+$")


def is_written_as_name(text: str) -> bool:
    """Whether `text` as it stands is written as a name (the check on a slot value)."""
    if not text or len(text) > MAX_NAME_CHARS:
        return False
    if any(word in text for word in _words()["not_name_words"]):
        return False
    return bool(_CJK_NAME.fullmatch(text) or _LATIN_NAME.fullmatch(text))


def parse_person_name(text: str) -> str | None:
    """The name in a citizen's answer, or None when it holds no name (see the module docstring).

    Args:
        text: The answer, e.g. "我老公叫王强", "名字是王小明吧", "我叫张丽，手机13812345678".

    Returns:
        The name ("王强", "王小明", "张丽"), or None.
    """
    cleaned = _PHONE_RUN.sub(" ", unicodedata.normalize("NFKC", text))
    cleaned = _contact_words().sub(" ", cleaned)
    cleaned = _CJK_GAP.sub("", " ".join(cleaned.split())).strip(_END_PUNCTUATION)
    lead_in = _lead_in().match(cleaned)
    if lead_in is not None and lead_in.end() < len(cleaned):
        cleaned = cleaned[lead_in.end() :].strip(_END_PUNCTUATION)
    cleaned = _polite_tail().sub("", cleaned).strip(_END_PUNCTUATION)
    return cleaned if is_written_as_name(cleaned) else None
