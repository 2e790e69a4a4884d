"""The case staff start from (backoffice/records/handoff/case.py), never an empty one."""

from __future__ import annotations

from backoffice.records.handoff.case import add_citizen_words, case_summary, infer_service
from backoffice.records.handoff.models import HandoffTicket
from backoffice.records.handoff.tickets import TranscriptLine


def line(kind: str, text: str) -> TranscriptLine:
    return TranscriptLine(kind=kind, text=text)


def test_handover_as_the_first_words_still_tells_channel_and_earlier_references() -> None:
    summary = case_summary(
        channel="wechat",
        transcript=[line("citizen", "转人工"), line("bot", "已为您转接人工客服")],
        slots={},
        active_form=None,
        service=None,
        references=["YS-20261201-3FA2C1"],
    )
    assert summary == {
        "channel": "wechat",
        "first_words": None,  # "转人工" says nothing about the case yet
        "service_inferred": None,
        "references": ["YS-20261201-3FA2C1"],
        "slots": {},
        "active_form": None,
    }


def test_first_words_service_and_references_come_from_the_conversation() -> None:
    summary = case_summary(
        channel="web",
        transcript=[
            line("citizen", "你好"),
            line("citizen", "我妈妈一个人住，想问问养老院"),
            line("bot", "您的参观预约号是 YL-20261210-0001。"),
        ],
        slots={"marriage_reference": "HY-20261207-0003"},
        active_form=None,
        service=None,
    )
    assert summary["first_words"] == "我妈妈一个人住，想问问养老院"
    assert summary["service_inferred"] == "eldercare"
    assert summary["references"] == ["YL-20261210-0001", "HY-20261207-0003"]
    known = case_summary(
        channel="web", transcript=[line("citizen", "养老院")], slots={}, active_form=None,
        service="marriage",
    )  # fmt: skip
    assert known["service_inferred"] is None, "the assistant's own service is not second-guessed"


def test_what_the_citizen_writes_while_waiting_completes_the_case() -> None:
    ticket = HandoffTicket(service=None, summary=case_summary(
        channel="web", transcript=[line("citizen", "转人工")], slots={}, active_form=None,
        service=None,
    ))  # fmt: skip
    assert add_citizen_words(ticket, "有人吗？") is False
    assert add_citizen_words(ticket, "我想问问低保怎么申请，之前预审过 YS-20261201-3FA2C1") is True
    assert ticket.service == "prescreen"
    assert ticket.summary["service_inferred"] == "prescreen"
    assert ticket.summary["first_words"].startswith("我想问问低保怎么申请")
    assert ticket.summary["references"] == ["YS-20261201-3FA2C1"]
    assert add_citizen_words(ticket, "结婚登记呢") is False, "the first guess stays"
    assert ticket.service == "prescreen"


def test_service_words() -> None:
    assert infer_service(["我想预约领结婚证"]) == "marriage"
    assert infer_service(["我想捐款给助学项目"]) == "donation"
    assert infer_service(["你好", "在吗"]) is None
