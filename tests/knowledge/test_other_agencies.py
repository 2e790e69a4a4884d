"""A question about another department's business is told so (referrals.yml other_agencies)."""

from __future__ import annotations

import pytest

from knowledge.store import get_store


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("农村养老保险每个月能领多少", "human-resources"),  # "养老" inside "养老保险"
        ("孩子落户需要带什么材料", "public-security"),
        ("个人所得税怎么退", "tax"),
        ("大乐透中了怎么兑", "sports-lottery"),
        ("消费者协会的电话是多少", "commerce"),  # "协会" inside "消费者协会"
    ],
)
def test_another_departments_words_name_that_department(text: str, agency: str) -> None:
    pointer = get_store().other_agency_for(text)
    assert pointer is not None and pointer.agency == agency and pointer.outright
    assert "12345" in pointer.contact_line()


@pytest.mark.parametrize(
    "text",
    [
        "低保户看病医保报完还要自己出很多钱怎么办",  # "医保" inside "医保报完"
        "结婚登记要带户口本吗",
        "明天杭州天气怎么样",
    ],
)
def test_civil_affairs_questions_stay_ours(text: str) -> None:
    assert get_store().other_agency_for(text) is None


def test_a_tie_names_the_department_only_as_a_second_choice() -> None:
    # One word each: the caller asks the knowledge base first (the 低保 articles).
    pointer = get_store().other_agency_for("退休人员能申请低保吗")
    assert pointer is not None and pointer.agency == "human-resources"
    assert not pointer.outright


def test_the_general_topic_never_outweighs_another_department() -> None:
    # "补贴" is the bureau's general word; "育儿补贴" is the health commission's business.
    pointer = get_store().other_agency_for("二孩育儿补贴怎么领")
    assert pointer is not None and pointer.agency == "health"
