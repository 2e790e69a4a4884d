"""The conversation runner without a live stack: parsing, placeholders, checks, reports, records."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, create_engine, insert

from testkit.conversations import ConversationRunner, new_sender
from testkit.gateway_chat import BotReply, ChatError, GatewayChatClient, ReplyButton
from testkit.reply_checks import check_reply
from testkit.script_format import (
    Expect,
    LoadedScript,
    ScriptFormatError,
    discover_scripts,
    load_script,
    parse_script,
)

DATA = Path(__file__).parent / "data"
SATURDAY = dt.date(2026, 11, 28)
MENU = BotReply(
    texts=("您好！我是智能助手。",),
    buttons=(
        ReplyButton("婚姻登记预约", "/request_marriage_booking"),
        ReplyButton("转人工", "/request_human"),
    ),
)


def parse(text: str, name: str = "case.yml") -> LoadedScript:
    return parse_script(textwrap.dedent(text), path=Path(name))


class FakeChat:
    """Answers from a table of message → reply and records what was sent."""

    def __init__(self, replies: dict[str, BotReply]) -> None:
        self.replies = replies
        self.sent: list[tuple[str, str]] = []

    def send(self, sender: str, message: str) -> BotReply:
        self.sent.append((sender, message))
        if message not in self.replies:
            raise ChatError(f"503 for {message!r}")
        return self.replies[message]


def run(text: str, replies: dict[str, BotReply], database_url: str | None = None):
    chat = FakeChat(replies)
    runner = ConversationRunner(chat=chat, database_url=database_url, today=SATURDAY)
    result = runner.run(parse(text))
    runner.close()
    return result, chat


# --- parsing ---------------------------------------------------------------------------------


def test_scalars_stay_as_typed() -> None:
    loaded = parse(
        """
        title: t
        turns:
          - user: no
          - user: 88
          - user: 2026-12-02
          - user: 是
            expect: 好的
          - user: yes
            expect: [a, b]
        """
    )
    turns = loaded.script.turns
    assert [t.user for t in turns] == ["no", "88", "2026-12-02", "是", "yes"]
    assert turns[3].expect.contains == ["好的"]
    assert turns[4].expect.contains == ["a", "b"]
    assert loaded.turn_lines == (4, 5, 6, 7, 9)


def test_single_text_stands_for_a_list_and_version_is_accepted() -> None:
    loaded = parse(
        """
        version: "3.1"
        title: t
        turns:
          - click: 找养老
            expect:
              buttons: 转人工
              not_contains: 出错
        records:
          - table: districts
            where: {name: 西湖区}
            count: 1
        """
    )
    turn = loaded.script.turns[0]
    assert turn.expect.buttons == ["转人工"]
    assert turn.expect.not_contains == ["出错"]
    assert loaded.script.records[0].count == 1
    assert loaded.record_lines == (10,)


def test_malformed_script_names_file_turn_line_and_problem() -> None:
    with pytest.raises(ScriptFormatError) as caught:
        load_script(DATA / "malformed_script.yml")
    message = str(caught.value)
    assert "malformed_script.yml" in message
    assert "turn 1 (line 4) → expect: unknown key `contians`" in message
    assert "turn 2 (line 7)" in message and "exactly one of `user:`" in message
    assert "turn 3 (line 9) → expect.matches" in message and "bad regex" in message
    assert "records check 1 (line 14): `table` is missing" in message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("title: t\nturns: []\n", "turns"),
        ("turns:\n  - user: 你好\n", "`title` is missing"),
        ("- user: 你好\n", "a mapping with `title:`"),
        ("title: t\nturns:\n  - user: [\n", "not valid YAML"),
        ("title: t\nturns:\n  - user: 你好\n    expect: {contains: '{next_wednesday}'}\n",
         "turn 1 (line 3): unknown variable {next_wednesday}"),
        ("title: t\nvars: {d: '{todya}'}\nturns:\n  - user: '{d}'\n", "vars.d: unknown variable"),
        ("title: t\nturns:\n  - user: '{today:dmy}'\n", "unknown format"),
        ("title: t\nturns:\n  - user: hi\nrecords:\n  - table: x\n    count: -1\n",
         "records check 1 (line 5) → count"),
    ],
)  # fmt: skip
def test_format_errors_are_clear(text: str, fragment: str) -> None:
    with pytest.raises(ScriptFormatError) as caught:
        parse(text, "bad.yml")
    assert "bad.yml" in str(caught.value)
    assert fragment in str(caught.value)


def test_discover_scripts_selects_named_files_or_all(tmp_path: Path) -> None:
    (tmp_path / "b.yml").write_text("x", encoding="utf-8")
    (tmp_path / "a.yml").write_text("x", encoding="utf-8")
    assert [p.name for p in discover_scripts(tmp_path)] == ["a.yml", "b.yml"]
    assert discover_scripts(tmp_path, f"{tmp_path / 'b.yml'}") == [tmp_path / "b.yml"]
    with pytest.raises(ScriptFormatError, match="no such conversation script"):
        discover_scripts(tmp_path, "nope.yml")


def test_every_checked_in_script_is_valid() -> None:
    scripts = discover_scripts(Path(__file__).parents[1] / "conversations")
    assert scripts
    for path in scripts:
        load_script(path)  # raises with a clear message


def test_sender_ids_are_fresh_and_accepted_by_the_gateway() -> None:
    first, second = new_sender("base_greeting_menu"), new_sender("base_greeting_menu")
    assert first != second
    assert first.startswith("conv-base_greeting_menu-")
    assert 8 <= len(new_sender("婚姻" * 40)) <= 64
    assert new_sender("婚姻").replace("-", "").replace("_", "").isalnum()


# --- checking and diffing --------------------------------------------------------------------


def test_check_reply_lists_every_mismatch() -> None:
    expect = Expect(
        contains=["智能助手", "真人客服"],
        not_contains=["您好"],
        buttons=["转人工", "立即转接"],
        not_buttons=["婚姻登记预约"],
        matches=[r"HY-\d{8}"],
        notices=["前 500 个字"],
    )
    problems = check_reply(expect, MENU)
    assert problems == [
        "reply should contain '真人客服'",
        "reply must not contain '您好'",
        "reply should match the pattern 'HY-\\\\d{8}'",
        "button '立即转接' should be offered",
        "button '婚姻登记预约' must not be offered",
        "a notice should contain '前 500 个字'",
    ]
    assert check_reply(Expect(contains=["智能助手"], buttons=["转人工"]), MENU) == []


def test_buttons_exactly_checks_order_and_completeness() -> None:
    assert check_reply(Expect(buttons_exactly=["婚姻登记预约", "转人工"]), MENU) == []
    assert check_reply(Expect(buttons_exactly=["转人工", "婚姻登记预约"]), MENU)
    assert check_reply(Expect(buttons_exactly=[]), MENU)


def test_missing_fragment_shows_the_closest_text() -> None:
    reply = BotReply(texts=("我们为杭州市 13 个区、县（市）的市民提供服务",))
    [problem] = check_reply(Expect(contains=["13个区、县"]), reply)
    assert "closest in the reply: '13 个区、县" in problem


def test_failure_report_shows_turn_user_expected_actual_and_transcript() -> None:
    identity = BotReply(texts=("是的，我是智能助手（机器人），不是真人。",))
    result, chat = run(
        """
        title: 身份
        turns:
          - user: 你好
            expect: 智能助手
          - user: 你是真人吗
            expect:
              contains: [我是真人客服]
              buttons: [立即转接]
          - user: 不会发送
        """,
        {"你好": MENU, "你是真人吗": identity},
    )
    assert not result.passed
    assert [message for _, message in chat.sent] == ["你好", "你是真人吗"]  # stopped at turn 2
    report = result.report()
    assert "conversation FAILED: case.yml — 身份" in report
    assert "✗ turn 2 of 3 (line 6)" in report
    assert "user: 你是真人吗" in report
    assert "reply should contain '我是真人客服'" in report
    assert "button '立即转接' should be offered" in report
    assert "contains: ['我是真人客服']" in report  # expected
    assert "text:    是的，我是智能助手（机器人），不是真人。" in report  # actual
    assert "buttons: (none)" in report
    assert "✓ 1. user: 你好" in report and "[婚姻登记预约] [转人工]" in report
    assert "不会发送" not in report


def test_a_passing_run_has_a_short_report() -> None:
    result, _ = run("title: ok\nturns:\n  - user: 你好\n    expect: 智能助手\n", {"你好": MENU})
    assert result.passed
    assert result.report().startswith("conversation passed")


def test_click_sends_the_payload_of_the_button_with_that_title() -> None:
    booking = BotReply(texts=("请问您要办理哪一项？",))
    result, chat = run(
        "title: t\nturns:\n  - user: 你好\n  - click: 婚姻登记预约\n    expect: 哪一项\n",
        {"你好": MENU, "/request_marriage_booking": booking},
    )
    assert result.passed, result.report()
    assert chat.sent[1][1] == "/request_marriage_booking"
    assert result.turns[1].said == "[click] 婚姻登记预约"


def test_click_on_a_button_that_was_not_offered_fails_clearly() -> None:
    result, chat = run("title: t\nturns:\n  - user: 你好\n  - click: 找养老\n", {"你好": MENU})
    assert not result.passed
    assert len(chat.sent) == 1
    assert "cannot click '找养老': the previous reply offered [婚姻登记预约] [转人工]" in (
        result.report()
    )


def test_gateway_errors_fail_the_turn() -> None:
    result, _ = run("title: t\nturns:\n  - user: 你好\n", {})
    assert not result.passed
    assert "the gateway gave no reply: 503" in result.report()


def test_one_sender_per_run_and_placeholders_in_messages() -> None:
    chat = FakeChat({"2026-11-30 web-conv-x-1": BotReply(texts=("12月2日 周三",))})
    runner = ConversationRunner(chat=chat, database_url=None, today=SATURDAY)
    loaded = parse(
        """
        title: t
        vars:
          day: '{next_week_wed}'
        turns:
          - user: '{next_working_day} {conversation_id}'
            expect:
              contains: ['{day:md} {day:weekday}']
              matches: ['^{day:md}']
        """
    )
    result = runner.run(loaded, sender="conv-x-1")
    assert result.passed, result.report()
    assert chat.sent == [("conv-x-1", "2026-11-30 web-conv-x-1")]


# --- gateway client --------------------------------------------------------------------------


def test_gateway_client_reads_messages_buttons_and_notices() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/chat"
        return httpx.Response(
            200,
            json={
                "messages": [
                    {"text": "第一句", "buttons": []},
                    {
                        "text": "第二句",
                        "buttons": [{"title": "转人工", "payload": "/request_human"}],
                    },
                    {"image": "x.png"},
                ],
                "notices": ["只读取了前 500 个字"],
            },
        )

    client = GatewayChatClient("http://web", transport=httpx.MockTransport(handler))
    reply = client.send("conv-abcdefgh", "你好")
    assert reply.text == "第一句\n第二句"
    assert reply.button_titles == ["转人工"]
    assert reply.notices == ("只读取了前 500 个字",)


def test_gateway_client_turns_errors_into_chat_errors() -> None:
    transport = httpx.MockTransport(lambda _: httpx.Response(503, json={"error": {}}))
    client = GatewayChatClient("http://web", transport=transport)
    with pytest.raises(ChatError, match="503"):
        client.send("conv-abcdefgh", "你好")


# --- records ---------------------------------------------------------------------------------


@pytest.fixture
def bookings_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'records.db'}"
    engine = create_engine(url)
    metadata = MetaData()
    bookings = Table(
        "bookings",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("status", String(16)),
        Column("day", Date),
        Column("people", Integer),
        Column("note", String(32), nullable=True),
        Column("conversation_id", String(80)),
    )
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(bookings),
            [
                {"status": "booked", "day": dt.date(2026, 11, 30), "people": 2, "note": None,
                 "conversation_id": "web-conv-x-1"},
                {"status": "cancelled", "day": dt.date(2026, 12, 2), "people": 1, "note": "改期",
                 "conversation_id": "web-other"},
            ],
        )  # fmt: skip
    engine.dispose()
    return url


def run_records(url: str, records_yaml: str):
    chat = FakeChat({"你好": MENU})
    runner = ConversationRunner(chat=chat, database_url=url, today=SATURDAY)
    loaded = parse("title: t\nturns:\n  - user: 你好\nrecords:\n" + textwrap.dedent(records_yaml))
    result = runner.run(loaded, sender="conv-x-1")
    runner.close()
    return result


def test_records_conditions_are_converted_to_column_types(bookings_db: str) -> None:
    result = run_records(
        bookings_db,
        """\
        - table: bookings
          where: {status: booked, day: '{next_working_day}', people: 2, note: null,
                  conversation_id: '{conversation_id}'}
          count: 1
        - table: bookings
          where: {status: [booked, cancelled]}
          count: 2
        - table: bookings
          where: {day: {gte: '{today}'}, people: {lt: 3}, note: {like: '改%'}}
        - table: bookings
          where: {status: booked, day: '{next_week_wed}'}
          count: 0
        """,
    )
    assert result.passed, result.report()


def test_wrong_record_count_shows_the_rows(bookings_db: str) -> None:
    result = run_records(bookings_db, "- table: bookings\n  where: {status: booked}\n  count: 2\n")
    assert not result.passed
    report = result.report()
    assert "records check 1 (line 5): expected bookings where status=booked" in report
    assert "(exactly 2 row(s)), found 1; 2 row(s) in bookings" in report
    assert "'status': 'cancelled'" in report


@pytest.mark.parametrize(
    ("records_yaml", "fragment"),
    [
        ("- table: bokings\n", "no table 'bokings' in the back office; tables: bookings"),
        ("- table: bookings\n  where: {stat: x}\n", "no column 'stat'; columns: id, status"),
        ("- table: bookings\n  where: {people: two}\n", "bookings.people: 'two' is not a int"),
        ("- table: bookings\n  where: {day: {after: x}}\n", "op one of ne, gt"),
    ],
)
def test_wrong_records_checks_are_explained(
    bookings_db: str, records_yaml: str, fragment: str
) -> None:
    result = run_records(bookings_db, records_yaml)
    assert not result.passed
    assert fragment in result.report()


def test_records_are_not_checked_after_a_failed_turn(bookings_db: str) -> None:
    chat = FakeChat({"你好": MENU})
    runner = ConversationRunner(chat=chat, database_url=bookings_db, today=SATURDAY)
    loaded = parse(
        "title: t\nturns:\n  - user: 你好\n    expect: 没有\nrecords:\n  - table: nope\n"
    )
    result = runner.run(loaded)
    assert not result.passed
    assert "no table" not in result.report()


# --- the staff desk (`desk:` and `staff:` turns) ---------------------------------------------


class FakeDesk:
    """A staff member at the console: records what was done."""

    def __init__(self, *, open_by_hours: bool = False) -> None:
        self.open_by_hours = open_by_hours
        self.on_duty = False
        self.done: list[tuple[str, str]] = []

    def set_duty(self, *, on: bool) -> None:
        self.on_duty = on
        self.done.append(("duty", str(on)))

    def is_open(self) -> bool:
        return self.open_by_hours or self.on_duty

    def act(self, action: str, conversation_id: str) -> None:
        self.done.append((action, conversation_id))


STAFF_SCRIPT = """
    title: 工作人员接待中
    desk: open
    turns:
      - user: 转人工
        expect: 排在第
      - staff: claim
      - user: 我家低保卡丢了
        expect:
          silent: true
          receipt: 已送达人工客服
"""
QUEUED = BotReply(texts=("您目前排在第 1 位",))
RECEIPT = BotReply(receipt="已送达人工客服 小王")


def test_staff_turns_act_on_the_conversation_between_the_citizens_turns() -> None:
    desk = FakeDesk()
    chat = FakeChat({"转人工": QUEUED, "我家低保卡丢了": RECEIPT})
    runner = ConversationRunner(chat=chat, database_url=None, today=SATURDAY, desk=desk)
    result = runner.run(parse(STAFF_SCRIPT), sender="conv-staff-0001")
    assert result.passed, result.report()
    cid = "web-conv-staff-0001"
    assert desk.done == [("duty", "True"), ("claim", cid), ("duty", "False")]
    assert [turn.said for turn in result.turns][1] == "[staff] claim"


def test_a_bot_answer_or_a_missing_receipt_fails_while_staff_own_the_chat() -> None:
    chatty = BotReply(texts=("抱歉，我没太明白",))
    result, _ = run(STAFF_SCRIPT.replace("    desk: open\n", ""), {"转人工": QUEUED})
    assert not result.passed and "no staff desk client" in (result.error or "")
    for reply in (chatty, BotReply()):
        desk = FakeDesk()
        chat = FakeChat({"转人工": QUEUED, "我家低保卡丢了": reply})
        runner = ConversationRunner(chat=chat, database_url=None, today=SATURDAY, desk=desk)
        report = runner.run(parse(STAFF_SCRIPT)).report()
        assert "FAILED" in report
        assert ("say nothing" in report) == (reply is chatty)
        assert "the receipt should contain '已送达人工客服'" in report
        assert desk.done[-1] == ("duty", "False"), "duty is switched off after a failed script"


def test_a_closed_desk_script_fails_when_the_desk_is_open_by_the_hour() -> None:
    script = parse("title: t\ndesk: closed\nturns:\n  - user: 我不想活了\n")
    chat = FakeChat({"我不想活了": BotReply(texts=("请拨打 110",))})
    runner = ConversationRunner(
        chat=chat, database_url=None, today=SATURDAY, desk=FakeDesk(open_by_hours=True)
    )
    result = runner.run(script)
    assert not result.passed and "HANDOFF_DUTY_ONLY" in (result.error or "")
    assert chat.sent == []
    closed = ConversationRunner(chat=chat, database_url=None, today=SATURDAY, desk=FakeDesk())
    assert closed.run(script).passed


def test_a_staff_turn_checks_no_reply_and_needs_a_known_action() -> None:
    with pytest.raises(ScriptFormatError, match="records"):
        parse("title: t\nturns:\n  - staff: claim\n    expect: 你好\n")
    with pytest.raises(ScriptFormatError, match="staff"):
        parse("title: t\nturns:\n  - staff: dance\n")
    with pytest.raises(ScriptFormatError, match="exactly one"):
        parse("title: t\nturns:\n  - staff: claim\n    user: 你好\n")
