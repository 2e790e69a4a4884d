"""Reading the citizen's free-text answers in the donation conversation.

Only input vocabulary lives here (what citizens type); every reply is a YAML response.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from actions.clients.donation import Project

ReceiptKind = Literal["person", "company"]

_GENERAL_FUND = re.compile(r"不限|综合|总基金|统筹|随便|都行|都可以|哪里(最)?需要|无所谓|通用")
_ANONYMOUS = re.compile(r"匿名|不留名|不署名|不写名|无名氏|不用写名字|不想留名|保密")
_NAME_PREFIX = re.compile(r"^(?:我叫|我是|名字(?:是|叫)?|姓名(?:是)?|叫|写|署名|就写)[:：\s]*")
_PERSON = re.compile(r"个人|自己|本人|我的名字|私人|开给我")
_COMPANY = re.compile(r"单位|公司|企业|机构|集团|组织|学校|医院|协会|基金会|商会|工作室|店")
_REFERENCE = re.compile(r"(CS)\s*[-－—]?\s*(\d{8})\s*[-－—]?\s*(\d{4,6})")
_FILLER = re.compile(r"^(?:就|捐给|捐|给|选)+|(?:的|那个|这个|项目|吧|就行|好了)+$")
_PUNCTUATION = re.compile(r"[\s,.!?;:、，。！？；：“”\"'（）()]")
_THEME_WORDS: dict[str, tuple[str, ...]] = {
    "education": ("助学", "学生", "上学", "读书", "教育", "孩子", "午餐", "大学"),
    "elderly": ("助老", "老人", "老年", "养老", "助餐"),
    "disability": ("助残", "残疾", "康复"),
    "medical": ("医疗", "大病", "看病", "治病", "救助"),
    "disaster": ("救灾", "灾", "应急"),
    "community": ("社区", "邻里", "小区", "心愿"),
}


def _fold(text: str) -> str:
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", text))


def match_project(text: str, projects: Sequence[Project]) -> list[Project]:
    """Projects the answer may mean: by code, the general fund, name fragments or theme.

    Returns:
        One project when the answer is clear, several when it is ambiguous, none when nothing fits.
    """
    folded = _FILLER.sub("", _fold(text))
    by_code = [p for p in projects if p.code == text.strip()]
    if by_code:
        return by_code
    if _GENERAL_FUND.search(folded):
        return [p for p in projects if p.general_fund]
    themed = [p for p in projects if folded in (p.theme_name, *_THEME_WORDS.get(p.theme, ()))]
    if themed:
        return themed  # "助学": every education project, even if a name also says 助学
    named = [p for p in projects if len(folded) >= 2 and folded in _fold(p.name)]
    named = named or [p for p in projects if _fold(p.name) in folded]
    if named:
        return named
    scored = [(_overlap(folded, _fold(p.name)), p) for p in projects if not p.general_fund]
    best = max((score for score, _ in scored), default=0)
    if best >= 3:
        return [p for score, p in scored if score == best]
    return [
        p
        for p in projects
        if any(word in folded for word in _THEME_WORDS.get(p.theme, ())) or p.theme_name in folded
    ]


def _overlap(text: str, name: str) -> int:
    """Length of the longest piece of `name` that appears in `text`."""
    best = 0
    for start in range(len(name)):
        for end in range(start + best + 1, len(name) + 1):
            if name[start:end] in text:
                best = end - start
            else:
                break
    return best


def wants_anonymous(text: str) -> bool:
    """True when the citizen asks not to be named."""
    return bool(_ANONYMOUS.search(text))


def clean_title(text: str) -> str | None:
    """A receipt title (person or organisation name, 2–60 characters), or None."""
    title = _NAME_PREFIX.sub("", unicodedata.normalize("NFKC", text).strip()).strip("。.!！ ")
    if not 2 <= len(title) <= 60 or any(char.isdigit() for char in title):
        return None
    return title


def receipt_kind_from_text(text: str) -> ReceiptKind | None:
    """Person or company from "个人" / "单位" and their everyday variants."""
    if text in ("person", "company"):
        return "person" if text == "person" else "company"
    if _COMPANY.search(text):
        return "company"
    if _PERSON.search(text):
        return "person"
    return None


def find_reference(text: str) -> str | None:
    """A pledge reference in the answer, canonical ("cs20261128 0001" → "CS-20261128-0001")."""
    match = _REFERENCE.search(unicodedata.normalize("NFKC", text).upper())
    if match is None:
        return None
    prefix, day, number = match.groups()
    return f"{prefix}-{day}-{int(number):04d}"


def yuan(amount: Decimal) -> str:
    """An amount for replies: 200 → "200", 1.5 → "1.50", 12000 → "12,000"."""
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount.quantize(Decimal('0.01')):,}"
