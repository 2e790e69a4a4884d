"""Only real questions reach the editors' list of unanswered questions (knowledge/question_rule)."""

from __future__ import annotations

import pytest

from knowledge.question_rule import is_real_question


@pytest.mark.parametrize(
    "text",
    [
        "低保怎么申请？",
        "低保?",
        "我妈妈八十岁了，想住养老院，西湖区有没有便宜一点的",
        "收养孩子需要什么条件",
        "殡葬补贴2026年是多少钱",
        "妈妈的低保卡丢了怎么办",
        "请问select班的学生能申请助学金吗",  # an English word is not SQL
    ],
)
def test_questions_are_kept(text: str) -> None:
    assert is_real_question(text)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("啊" * 500, "one character 500 times"),
        ("啊啊啊啊啊低保", "five of one character in a row"),
        ("哈哈哈哈什么哈哈", "one character is more than half of the letters"),
        ("谢谢", "one character is more than half"),
        ("<script>alert('低保')</script>", "an HTML tag"),
        ("低保 <img src=x onerror=alert(1)>", "an HTML tag"),
        ("养老院 javascript:alert(1)", "a script address"),
        ("低保{{7*7}}申请", "a template marker"),
        ("'; DROP TABLE marriage_bookings; -- 低保", "SQL"),
        ("低保' OR '1'='1", "an SQL test"),
        ("SELECT * FROM users WHERE 名字='张三'", "SQL"),
        ('/choose_article{"knowledge_article": "x"}', "a button payload"),
        ("hello", "no Chinese"),
        ("？？？", "no letters"),
        ("好", "too short"),
        ("我想问" + "低保养老婚姻登记" * 30, "longer than 200 characters"),
    ],
)
def test_noise_is_not_a_question(text: str, why: str) -> None:
    assert not is_real_question(text), why
