"""Gateway normalisation: trim, full width → half width, Traditional → Simplified, length cap."""

from __future__ import annotations

import pytest

from zhtext.normalise import is_invisible, normalise


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  我想預約結婚登記１２３  ", "我想预约结婚登记123"),
        ("ｈｅｌｌｏ　你好", "hello 你好"),
        ("有沒有適合失能老人的養老院？", "有没有适合失能老人的养老院?"),
        ("好的，謝謝。", "好的,谢谢。"),
        ("妳好", "你好"),
        ("請問妳們這裡可以辦甚麼", "请问你们这里可以办什么"),
        ("牠走丟了", "它走丢了"),
        ("第一行\n\n  第二行", "第一行 第二行"),
        ("\x00\x07", ""),
        # Invisible characters go (they split 低保 for NLU and crisis words); spaces become one.
        ("低\u200b保怎么申请", "低保怎么申请"),
        ("\ufeff自\u2060杀\u200d", "自杀"),
        ("结\u200c婚\u00ad登\u200e记\u202e", "结婚登记"),
        ("养\ufe0f老\U000e0041院", "养老院"),
        ("低保\u3000怎么\u00a0申请\u2028\u2003吗", "低保 怎么 申请 吗"),
        ("\u3164\u2800\u200b", ""),
    ],
)
def test_normalise(typed: str, expected: str) -> None:
    assert normalise(typed, max_chars=500).text == expected


def test_long_text_is_cut_and_flagged() -> None:
    result = normalise("好" * 600, max_chars=500)
    assert (len(result.text), result.truncated, result.original_length) == (500, True, 600)
    assert not normalise("好", max_chars=500).truncated


def test_blank_input_is_empty() -> None:
    assert normalise(" \u3000 ", max_chars=500).is_empty


def test_visible_characters_and_emoji_are_kept() -> None:
    assert not any(is_invisible(char) for char in "低保 abc123，。？😀👍")
    assert normalise("谢谢👍", max_chars=500).text == "谢谢👍"
