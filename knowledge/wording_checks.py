"""Checks on what citizens read: rules said the other way round, invented addresses and numbers.

* A rule of ``policies/`` (see :mod:`knowledge.rules`) lists the wording that would contradict it;
  an article saying so is an error, a bot response saying so a warning (``bot/domain`` belongs to
  the developers and changing it means retraining; the warning tells them what to change).
* Invented specifics: placeholder place names (示例路, 某某小区, XX街), phone numbers that are not
  in ``contacts.yml``, and street addresses inside content marked as an unverified sample. Where
  a fact is unknown the answer should say so and name the office or hotline that knows. Errors in
  articles, policies and the back office's seeded records (a citizen may go to a drop-off point
  or call a facility); warnings in the bot's responses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge.citizen_text import CitizenText
from knowledge.findings import Finding, Level
from knowledge.loader import KnowledgeBase
from knowledge.schema import ContactsFile

# Nationwide service numbers that need no entry in contacts.yml to be quoted.
WELL_KNOWN_NUMBERS = frozenset(
    {"110", "120", "119", "122", "12345", "12356", "12338", "12366", "12348", "12333"}
)

_PLACEHOLDER_PLACE = re.compile(
    r"示例(?:路|街|大道|巷|弄|小区|社区|村|大厦|广场|门牌)"
    r"|某某(?:路|街|小区|社区|村|区|号|大厦|机构|中心)"
    r"|(?:[XxＸｘ×]{2,}|○○)(?:路|街|小区|社区|村|区|号|大厦|机构)"
)
_PHONE = re.compile(
    r"(?<![\d.])(?:0\d{2,3}[-－—\s]?)?[2-9]\d{6,7}(?![\d.])"  # landline, with or without 0571
    r"|(?<![\d.])0\d{2,3}[-－—]\d{7,8}(?![\d.])"  # any number after an area code ("0571-00001001")
    r"|(?<!\d)1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)"  # mobile
    r"|(?<!\d)(?:0\d{2,3}-)?\d{3,4}[XxＸ×*]{3,}"  # masked sample ("0571-8xxxxxxx")
)
_SERVICE_NUMBER = re.compile(
    r"(?:拨打|致电|热线|电话)[^\d。；（(]{0,8}(?<!\d)([1-9]\d{2,5})(?![\d-])"
)
# Dates and booking references ("HY-20261201-0001") look like eight-digit numbers.
_DATE_OR_REFERENCE = re.compile(r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01])")
_STREET_ADDRESS = re.compile(
    r"[\u4e00-\u9fff]{1,8}(?:路|街|大道|巷|弄)\s?\d+(?:\s?[-—－]\s?\d+)?\s?号"
)
_NOT_A_NUMBER_AFTER = re.compile(
    r"^\s*(?:元|人|户|对|个|张|床|年|月|日|天|万|亿|次|名|份|%|余|多|岁)"
)


def check_contradictions(kb: KnowledgeBase, texts: Iterable[CitizenText]) -> list[Finding]:
    """Articles (error) and responses (warning) that say the opposite of a policy rule."""
    findings = []
    for text in texts:
        if text.kind == "policy":
            continue  # a rule's own file states it; its patterns are not shown to citizens
        for reference, rule in kb.rules.items():
            passage = rule.contradiction_in(text.text)
            if passage is None:
                continue
            level: Level = "错误" if text.kind == "article" else "警告"
            findings.append(
                Finding(
                    level,
                    text.path,
                    text.line,
                    f"{text.where}「…{passage}…」与规则 {reference}"
                    f"（{rule.effective_from} 起）相反：{rule.statement[:40]}…。"
                    f"文章请用 rule: {reference} 引用规则原文",
                )
            )
    return findings


def check_invented_specifics(
    texts: Iterable[CitizenText], contacts: ContactsFile | None
) -> list[Finding]:
    """Placeholder places, unknown phone numbers, and addresses in sample content.

    Errors in articles, policies and seeded records; warnings in the bot's responses.
    """
    known = set(WELL_KNOWN_NUMBERS)
    if contacts is not None:
        known |= {_digits(c.number) for c in contacts.contacts if not c.sample}
    findings = []
    for text in texts:
        # Responses belong to the developers: reported, but they do not block an editor.
        level: Level = "警告" if text.kind == "response" else "错误"
        findings += [
            Finding(level, text.path, text.line, f"{text.where}: {problem}")
            for problem in _problems(text, known)
        ]
    return findings


def _problems(text: CitizenText, known: set[str]) -> Iterable[str]:
    for found in _PLACEHOLDER_PLACE.finditer(text.text):
        yield (
            f"「{found.group(0)}」是编造的地名或地址。地址不清楚时请写“地址未经核实，"
            "请向××部门或热线询问”，并引用 contacts.yml 里的电话"
        )
    for found in _PHONE.finditer(text.text):
        number = _digits(found.group(0))
        if number in known or _is_amount(text.text, found.end()):
            continue
        if _DATE_OR_REFERENCE.fullmatch(number) or text.text[: found.start()].endswith("-"):
            continue
        yield (
            f"电话「{found.group(0)}」不在 contacts.yml 中。号码必须有来源：请先加到 "
            "contacts.yml（写明来源），或改为“请拨打12345询问”；格式示例请用明显虚构的写法"
        )
    for found in _SERVICE_NUMBER.finditer(text.text):
        number = found.group(1)
        if number not in known and not _is_amount(text.text, found.end(1)):
            yield f"电话「{number}」不在 contacts.yml 中，请加上来源或改为 12345"
    if text.sample:
        for found in _STREET_ADDRESS.finditer(text.text):
            yield (
                f"示例内容里的地址「{found.group(0)}」没有经过核实。示例内容不能编造地址，"
                "请改为“地址请向××询问”"
            )


def _digits(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return digits[4:] if digits.startswith("0571") else digits


def _is_amount(text: str, end: int) -> bool:
    return bool(_NOT_A_NUMBER_AFTER.match(text[end:]))
