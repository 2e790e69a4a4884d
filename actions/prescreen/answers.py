"""Reading one pre-screen answer at a time (pure functions, no Rasa).

Amounts, head counts, districts, phones and ID numbers go through zhtext; this module only adds
what is specific to the pre-screen questions: "不清楚" / "不想说", which assets and special
circumstances a short answer names, and which earlier answer a correction refers to. The
patterns below recognise citizen input; nothing here is shown to citizens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, TypedDict

from zhtext.numbers import Money, parse_count, parse_money
from zhtext.places import District, DistrictMatch, find_district

Status = Literal["given", "unknown", "refused"]
Field = Literal["district", "household_size", "income", "savings", "assets", "circumstances"]

FIELD_SLOTS: dict[Field, str] = {
    "district": "prescreen_district",
    "household_size": "prescreen_household_size",
    "income": "prescreen_income",
    "savings": "prescreen_savings",
    "assets": "prescreen_assets",
    "circumstances": "prescreen_circumstances",
}

_UNSURE = re.compile(
    r"不清楚|不知道|不晓得|说不准|说不清|不确定|记不清|搞不清|不太懂|不好说|没算过"
)
_REFUSED = re.compile(
    r"不想说|不愿意?说|不方便(?:说|透露|讲)?|不告诉|不想告诉|保密|隐私|不想透露|不想讲|跳过"
)
_NO_INCOME = re.compile(
    r"没有?(?:任何)?收入|无收入|没(?:有)?(?:进账|工作|经济来源)|收入(?:为|是)?(?:零|0|无)"
)
_SAVINGS_NOUNS = re.compile(r"存款|积蓄|储蓄|理财|金融资产|存的钱|银行里")
_CLAUSE = re.compile(r"[，,。；;！!？?、]|并且|而且|但是|不过")
_NEGATION = re.compile(r"没有|没|无|不算|不是")
_NOTHING = re.compile(
    r"^(?:都|全|也|啥都|什么都)?(?:没有|没|无|没得|都没有|没有的|不存在)(?:了|呢|啊|哦)?$"
)
_CAR = re.compile(r"汽车|轿车|小车|私家车|车子|货车|面包车|一辆车|有车|(?<![电代步瓶轮托])车")
_NOT_A_CAR = re.compile(r"电动车|电瓶车|自行车|摩托|代步车|三轮|残疾人车")
_HOUSE = re.compile(r"房|套|商铺|门面|铺子")
_EXTRA_HOUSE = re.compile(
    r"第二套|两套|二套|多套|几套|另外|别的|其他|其它|出租|空着|空置|还有一套|门面|商铺|铺子"
)
_OWN_HOME_ONLY = re.compile(r"自住|自己住|住的|只有一套|就一套|一套房")

_CIRCUMSTANCE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("no_capacity_no_income_no_supporter",
     re.compile(r"无劳动能力|没有?劳动能力|丧失劳动能力|无法定赡养|没有?(?:人)?赡养|无人赡养|没人管|孤寡|无依无靠|没有子女|无儿无女")),
    ("severe_disability", re.compile(r"重度残疾|一级残疾|二级残疾|残疾")),
    ("serious_illness", re.compile(r"重病|大病|癌|尿毒症|白血病|重大疾病|瘫痪|病重|重症")),
    ("sudden_emergency",
     re.compile(r"突发|火灾|着火|失火|车祸|交通事故|意外|溺水|受伤|事故|洪水|台风|房子塌|遭灾|受灾")),
    ("large_expense",
     re.compile(r"大额|医疗费|医药费|看病花|治病花|手术费|治疗费|住院费|学费|上学|读书|教育支出|教育费用|医疗.{0,4}支出|教育.{0,4}支出")),
)  # fmt: skip

_FIELD_PATTERNS: tuple[tuple[Field, re.Pattern[str]], ...] = (
    ("district", re.compile(r"区县|户籍|户口|居住证|哪个区|[区县市]$|区(?:改|说)")),
    (
        "household_size",
        re.compile(r"人口|几口|口人|个人|家庭成员|家里人|人数|[0-9一二两三四五六七八九十]\s*口"),
    ),
    ("savings", re.compile(r"存款|积蓄|储蓄|理财|金融资产")),
    ("income", re.compile(r"收入|工资|退休金|养老金|挣|赚|月入")),
    ("assets", re.compile(r"汽车|车|房|财产|资产")),
    (
        "circumstances",
        re.compile(r"残疾|重病|大病|劳动能力|赡养|突发|事故|火灾|医疗|教育|学费|特殊情况|情况"),
    ),
)
_FIELD_CODES: dict[str, Field] = {field: field for field in FIELD_SLOTS}


class Answer(TypedDict, total=False):
    """One answer as kept in a slot: its status, the value and whether it was an estimate."""

    status: Status
    value: Any
    approximate: bool
    period: str | None


def unknown() -> Answer:
    """The citizen does not know."""
    return {"status": "unknown", "value": None}


def refused() -> Answer:
    """The citizen does not want to say."""
    return {"status": "refused", "value": None}


def says_unsure(text: str) -> bool:
    """True for "不清楚", "不知道", "说不准" and the like."""
    return bool(_UNSURE.search(text))


def says_refused(text: str) -> bool:
    """True for "不想说", "不方便透露", "保密" and the like."""
    return bool(_REFUSED.search(text))


@dataclass(frozen=True)
class DistrictAnswer:
    """What an answer to the district question said.

    Attributes:
        match: The district(s) named, if any.
        residence: `permit` / `none` when the citizen spoke of a residence permit, else None.
        outside: The citizen said the registration is not in Hangzhou but not whether they
            hold a residence permit.
    """

    match: DistrictMatch | None
    residence: Literal["permit", "none"] | None
    outside: bool

    @property
    def district(self) -> District | None:
        """The one district meant, if exactly one."""
        return self.match.district if self.match else None


_NO_PERMIT = re.compile(r"没有?(?:办)?(?:杭州)?居住证|无居住证|居住证(?:没有|没办)")
_PERMIT = re.compile(r"居住证")
_OUTSIDE = re.compile(r"外地|外省|户口不在|户籍不在|不是杭州|老家|农村户口在")


def read_district(text: str) -> DistrictAnswer:
    """Read the answer to "户籍在哪个区县？"."""
    residence: Literal["permit", "none"] | None = None
    if _NO_PERMIT.search(text):
        residence = "none"
    elif _PERMIT.search(text):
        residence = "permit"
    outside = residence is None and bool(_OUTSIDE.search(text))
    return DistrictAnswer(find_district(text), residence, outside)


def read_household_size(text: str) -> Answer | None:
    """'三口人', '5个', '就我自己' → a count; None when no count was said."""
    count = parse_count(text)
    if count is None:
        return None
    return {"status": "given", "value": count, "approximate": False}


def _money_answer(money: Money) -> Answer:
    return {
        "status": "given",
        "value": str(money.per_month()),
        "approximate": money.approximate,
        "period": money.period,
    }


@dataclass(frozen=True)
class IncomeReading:
    """The answer to the income question.

    Attributes:
        answer: The income, when it was clear.
        money: The amount as said (to echo a yearly figure back).
        conflicting_amount: Set when the citizen said "no income" and also named an amount:
            the amount per month, to ask which is right.
    """

    answer: Answer | None
    money: Money | None = None
    conflicting_amount: Decimal | None = None


def read_income(text: str) -> IncomeReading:
    """Read a total household income ("三千五", "四千多", "一年五万左右", "没有收入")."""
    money = parse_money(text)
    if money is None:
        return IncomeReading(None)
    if money.value > 0 and _NO_INCOME.search(text):
        return IncomeReading(None, money, money.per_month())
    return IncomeReading(_money_answer(money), money)


def read_savings(text: str) -> Answer | None:
    """Read total savings ("两万左右", "没有存款", "存款三万多")."""
    money = parse_money(_SAVINGS_NOUNS.sub("", text))
    if money is None:
        return None
    answer = _money_answer(money)
    answer["value"] = str(money.value)  # savings are a stock, not per month
    return answer


def _clauses(text: str) -> list[str]:
    return [part for part in _CLAUSE.split(text) if part.strip()]


def read_assets(text: str) -> Answer | None:
    """Read "汽车、第二套住房" answers: {"vehicle": bool, "extra_housing": bool}."""
    cleaned = re.sub(r"\s", "", text)
    if _NOTHING.match(cleaned) or re.fullmatch(
        r"(?:都|全)没有.*|没有(?:车|汽车)?(?:也)?没有?(?:房|别的房子|其他房子)?", cleaned
    ):
        return {"status": "given", "value": {"vehicle": False, "extra_housing": False}}
    vehicle: bool | None = None
    housing: bool | None = None
    for clause in _clauses(cleaned):
        negated = bool(_NEGATION.search(clause))
        if _CAR.search(_NOT_A_CAR.sub("", clause)):
            vehicle = not negated and not _starts_negated_after(clause, _CAR)
        elif _NOT_A_CAR.search(clause) and vehicle is None:
            vehicle = False
        if _HOUSE.search(clause):
            extra = bool(_EXTRA_HOUSE.search(clause)) or not _OWN_HOME_ONLY.search(clause)
            housing = extra and not negated
        if "都有" in clause:
            vehicle = vehicle if vehicle is not None else True
            housing = housing if housing is not None else True
    if vehicle is None and housing is None:
        return None
    return {
        "status": "given",
        "value": {"vehicle": bool(vehicle), "extra_housing": bool(housing)},
    }


def _starts_negated_after(clause: str, pattern: re.Pattern[str]) -> bool:
    """'车没有' / '车也没有': the negation comes after the noun."""
    found = pattern.search(clause)
    return bool(found and _NEGATION.search(clause[found.end() :]))


def read_circumstances(text: str) -> Answer | None:
    """Read special circumstances; several may be named in one answer."""
    cleaned = re.sub(r"\s", "", text)
    named = [code for code, pattern in _CIRCUMSTANCE_PATTERNS if pattern.search(cleaned)]
    if named:
        return {"status": "given", "value": named}
    if _NOTHING.match(cleaned) or re.fullmatch(
        r"(?:都|全|也)?没有?(?:这些|特殊)?(?:情况)?(?:了)?", cleaned
    ):
        return {"status": "given", "value": []}
    return None


def field_named(text: str) -> Field | None:
    """Which earlier answer a correction is about ("收入说错了" → income)."""
    code = _FIELD_CODES.get(text.strip())
    if code is not None:
        return code
    if find_district(text) is not None:
        return "district"
    for field, pattern in _FIELD_PATTERNS:
        if pattern.search(text):
            return field
    return None


def read_field(field: Field, text: str) -> Answer | str | None:
    """Read a corrected value for `field` from `text` (district → its code); None if absent."""
    if field == "district":
        district = read_district(text).district
        return district.code if district else None
    if field == "household_size":
        return read_household_size(text)
    if field == "income":
        return read_income(text).answer
    if field == "savings":
        return read_savings(text)
    if field == "assets":
        return read_assets(text)
    return read_circumstances(text)
