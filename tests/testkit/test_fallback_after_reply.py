"""Every conversation script fails a turn whose answer ends in "没太明白" after another reply."""

from __future__ import annotations

from testkit.reply_checks import fallback_after_reply

CANCELLED = "已为您取消预约 HY-20261210-0001（12月10日（周四）上午，西湖区婚姻登记处）。"
NOT_UNDERSTOOD = "抱歉，我没太明白您的意思。能换个说法再说一次吗？您也可以直接点选下面的服务："
SECOND = "不好意思，我还是没能理解您的问题。您可以转人工客服，或拨打杭州市民服务热线 12345 咨询。"


def test_a_fallback_after_an_answer_is_caught() -> None:
    assert fallback_after_reply([CANCELLED, NOT_UNDERSTOOD])
    assert fallback_after_reply([CANCELLED, SECOND])


def test_a_fallback_alone_or_an_answer_alone_is_not() -> None:
    assert not fallback_after_reply([NOT_UNDERSTOOD])
    assert not fallback_after_reply([CANCELLED])
    assert not fallback_after_reply([])
