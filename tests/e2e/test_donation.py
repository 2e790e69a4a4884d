"""慈善捐赠 end to end: browse, pledge through the web endpoint, payment, check the pledge."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from backoffice.records.donation.payments import confirm_payment
from backoffice.records.donation.schemas import PaymentConfirmationIn
from testkit.chat import buttons, click, new_sender, say, texts
from testkit.stack import LiveStack

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"CS-\d{8}-\d{4}")
PHONE = "13812345678"


@pytest.fixture(scope="module")
def database(live_stack: LiveStack) -> Iterator[Engine]:
    engine = create_engine(live_stack.database_url)
    yield engine
    engine.dispose()


def pledge_rows(engine: Engine, conversation: str) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT * FROM donation_pledges WHERE conversation_id = :c"), {"c": conversation}
        )
        return [dict(row) for row in rows.mappings()]


def test_browse_by_theme_shows_progress(live_stack: LiveStack) -> None:
    sender = new_sender("e2e-donation")
    menu = say(live_stack, sender, "我想做点公益")
    assert "按主题找项目" in buttons(menu)
    themes = click(live_stack, sender, menu, "按主题找项目")
    assert {"助学", "助老", "助残", "医疗救助", "应急救灾", "社区发展"} <= set(buttons(themes))
    elderly = click(live_stack, sender, themes, "助老")
    reply = texts(elderly)
    assert "高龄独居老人爱心助餐" in reply
    assert "完成 32%" in reply


def test_pledge_with_receipt_is_stored_then_paid_and_checked(
    live_stack: LiveStack, database: Engine
) -> None:
    sender = new_sender("e2e-donation")
    ask_project = say(live_stack, sender, "我要捐款")
    assert "慈善综合基金（不限定用途）" in buttons(ask_project)
    ask_amount = click(live_stack, sender, ask_project, "山区学生营养午餐")
    assert "捐多少钱" in texts(ask_amount)
    ask_name = say(live_stack, sender, "1千块")
    assert "匿名捐赠" in buttons(ask_name)
    ask_receipt = say(live_stack, sender, "我叫张三")
    ask_kind = click(live_stack, sender, ask_receipt, "需要票据")
    ask_title = click(live_stack, sender, ask_kind, "个人")
    assert "票据抬头" in texts(ask_title)
    ask_id = say(live_stack, sender, "张三")
    assert "身份证号" in texts(ask_id)
    wrong_id = say(live_stack, sender, "330106199001011249")
    assert "校验码" in texts(wrong_id)
    ask_phone = say(live_stack, sender, "330106199001011248")
    assert "联系电话" in texts(ask_phone)
    summary = say(live_stack, sender, "138 1234 5678")
    reply = texts(summary)
    for fragment in (
        "山区学生营养午餐",
        "1,000 元",
        "捐赠人：张*",
        "个人抬头“张*”",
        "3301**********1248",
        "138****5678",
    ):
        assert fragment in reply, reply
    assert "330106199001011248" not in reply and "张三" not in reply
    done = click(live_stack, sender, summary, "确认认捐")
    match = REFERENCE.search(texts(done))
    assert match, texts(done)
    reference = match.group(0)
    assert "验证码" in texts(done)

    [row] = pledge_rows(database, f"web-{sender}")
    assert row["reference"] == reference
    assert row["status"] == "pending"
    assert row["amount_fen"] == 100_000
    assert row["receipt_kind"] == "person"
    assert row["receipt_tax_id"] == "330106199001011248"
    assert row["contact_phone"] == PHONE

    # Only the reference is not enough: the phone must match too.
    lookup = say(live_stack, sender, f"帮我查下{reference}")
    assert "联系电话" in texts(lookup)
    wrong = say(live_stack, sender, "13900000000")
    assert "没有找到" in texts(wrong)

    # The payment side confirms (same service the signed endpoint calls).
    with Session(database) as session:
        outcome = confirm_payment(
            session=session,
            confirmation=PaymentConfirmationIn(
                reference=reference, amount=Decimal(1000), transaction_id=f"TX-{sender}"
            ),
            now=dt.datetime.now(dt.UTC),
        )
    assert outcome.pledge.status == "paid"

    ask_reference = say(live_stack, sender, "查一下我的捐款")
    assert "认捐编号" in texts(ask_reference)
    ask_phone_again = say(live_stack, sender, reference.lower())
    assert "联系电话" in texts(ask_phone_again)
    status = say(live_stack, sender, PHONE)
    assert "已付款" in texts(status)
    assert "票据正在开具" in texts(status)


def test_anonymous_pledge_to_the_general_fund(live_stack: LiveStack, database: Engine) -> None:
    sender = new_sender("e2e-donation")
    say(live_stack, sender, "我想捐钱")
    say(live_stack, sender, "不限定用途，哪里需要捐哪里")
    ask_name = say(live_stack, sender, "五百元整")
    ask_receipt = click(live_stack, sender, ask_name, "匿名捐赠")
    ask_phone = click(live_stack, sender, ask_receipt, "不需要")
    summary = say(live_stack, sender, PHONE)
    assert "匿名" in texts(summary)
    assert "慈善综合基金" in texts(summary)
    done = click(live_stack, sender, summary, "确认认捐")
    assert REFERENCE.search(texts(done)), texts(done)
    [row] = pledge_rows(database, f"web-{sender}")
    assert row["anonymous"] in (1, True)
    assert row["donor_name"] is None
    assert row["amount_fen"] == 50_000
    assert "付款方式" in texts(done)
    assert ask_phone["messages"]


def test_large_amount_goes_to_a_person(live_stack: LiveStack, database: Engine) -> None:
    sender = new_sender("e2e-donation")
    say(live_stack, sender, "我要捐款")
    say(live_stack, sender, "营养午餐")
    reply = say(live_stack, sender, "十万")
    assert "工作人员" in texts(reply)
    assert pledge_rows(database, f"web-{sender}") == []


def test_stop_in_the_middle_and_scam_warning(live_stack: LiveStack, database: Engine) -> None:
    sender = new_sender("e2e-donation")
    say(live_stack, sender, "我要捐款")
    say(live_stack, sender, "营养午餐")
    warning = say(live_stack, sender, "有人打电话说是慈善总会的，让我把捐款转到他个人银行卡")
    assert "诈骗" in texts(warning)
    assert "捐多少钱" in texts(warning)  # and the form goes on
    asked = say(live_stack, sender, "算了，不捐了")
    assert "确定不办了吗" in texts(asked)  # a project was chosen: ask first
    stopped = say(live_stack, sender, "/stop")  # 确定不办了
    assert "已停止本次捐赠" in texts(stopped)
    assert pledge_rows(database, f"web-{sender}") == []


def test_goods_donation_says_who_knows_where_to_give(live_stack: LiveStack) -> None:
    reply = texts(say(live_stack, new_sender("e2e-donation"), "家里有些旧衣服想捐出去"))
    assert "衣物被褥" in reply
    assert "慈善总会" in reply and "请拨打 12345 或咨询所在社区" in reply
    assert "示例路" not in reply and "开放时间" not in reply  # no unverified address or hours


def test_tax_question_is_answered_from_the_knowledge_base(live_stack: LiveStack) -> None:
    reply = texts(say(live_stack, new_sender("e2e-donation"), "个人捐款抵扣个税的比例是多少"))
    assert "30%" in reply
    assert "来源" in reply


def test_policy_question_inside_the_form_then_the_form_goes_on(live_stack: LiveStack) -> None:
    sender = new_sender("e2e-donation")
    say(live_stack, sender, "我要捐款")
    say(live_stack, sender, "营养午餐")
    reply = texts(say(live_stack, sender, "公司捐款能抵企业所得税吗"))
    assert "12%" in reply
    assert "捐多少钱" in reply
