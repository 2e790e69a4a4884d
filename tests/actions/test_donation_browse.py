"""Browsing donation projects and goods donations against a fake back office."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.donation import browse, goods
from testkit.trackers import EMPTY_DOMAIN, make_tracker, user_event
from tests.actions.donation_support import FakeBackoffice, responses, slots_of
from tests.actions.donation_support import backoffice as backoffice
from tests.actions.donation_support import down as down


async def test_browse_without_theme_offers_themes(backoffice: FakeBackoffice) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user_event("有什么慈善项目", "browse_charity_projects")])
    await browse.ActionListCharityProjects().run(dispatcher, tracker, EMPTY_DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_donation_choose_theme"
    assert [b["title"] for b in message["buttons"]] == ["助学"]
    assert "education" in message["buttons"][0]["payload"]


async def test_browse_recommended_lists_progress(backoffice: FakeBackoffice) -> None:
    dispatcher = CollectingDispatcher()
    entity = {"entity": "charity_theme", "value": "recommended"}
    tracker = make_tracker([user_event("推荐", "browse_charity_projects", [entity])])
    events = await browse.ActionListCharityProjects().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert responses(dispatcher) == [
        "utter_donation_recommended_intro",
        "utter_donation_project_item",
        "utter_donation_project_item",
        "utter_donation_project_list_end",
    ]
    first = dispatcher.messages[1]
    assert (first["name"], first["percent"], first["raised"]) == ("山区学生营养午餐", 37, "186,400")
    buttons = dispatcher.messages[-1]["buttons"]
    assert buttons[0]["payload"] == '/show_charity_project{"charity_project": "edu-lunch-2026"}'
    assert slots_of(events) == {"charity_theme": None, "charity_project": None}


async def test_browse_theme_without_projects(backoffice: FakeBackoffice) -> None:
    dispatcher = CollectingDispatcher()
    entity = {"entity": "charity_theme", "value": "disaster"}
    tracker = make_tracker([user_event("救灾", "browse_charity_projects", [entity])])
    await browse.ActionListCharityProjects().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert responses(dispatcher) == ["utter_donation_no_projects"]


async def test_browse_when_back_office_is_down(down: None) -> None:
    dispatcher = CollectingDispatcher()
    entity = {"entity": "charity_theme", "value": "education"}
    tracker = make_tracker([user_event("助学", "browse_charity_projects", [entity])])
    await browse.ActionListCharityProjects().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert responses(dispatcher) == ["utter_records_unavailable"]


async def test_details_set_the_project_for_the_form(backoffice: FakeBackoffice) -> None:
    dispatcher = CollectingDispatcher()
    entity = {"entity": "charity_project", "value": "edu-lunch-2026"}
    tracker = make_tracker([user_event("", "show_charity_project", [entity])])
    events = await browse.ActionShowCharityProject().run(dispatcher, tracker, EMPTY_DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_donation_project_details"
    assert message["record_no"] == "示例-1"
    assert slots_of(events) == {"charity_project": "edu-lunch-2026"}


async def test_details_of_the_general_fund_and_of_nothing(backoffice: FakeBackoffice) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user_event("", "show_charity_project")], slots={
        "charity_project": "general-fund"})  # fmt: skip
    await browse.ActionShowCharityProject().run(dispatcher, tracker, EMPTY_DOMAIN)
    assert responses(dispatcher) == ["utter_donation_project_details_open"]
    dispatcher = CollectingDispatcher()
    await browse.ActionShowCharityProject().run(
        dispatcher, make_tracker([user_event("详情", "show_charity_project")]), EMPTY_DOMAIN
    )
    assert responses(dispatcher) == ["utter_donation_which_project"]


async def test_goods_information(backoffice: FakeBackoffice) -> None:
    dispatcher = CollectingDispatcher()
    await goods.ActionShowGoodsDonation().run(dispatcher, make_tracker(), EMPTY_DOMAIN)
    said = [m["text"] for m in dispatcher.messages[:2]]
    assert said == [
        "目前接收的捐赠物资（示例内容，待核实）：衣物被褥、图书文具。\n暂不接收：药品。",
        "具体收捐地点请拨打 12345 或咨询所在社区。",
    ]
    # The back office's drop-off points (addresses not verified) are not shown.
    assert responses(dispatcher)[2:] == ["utter_donation_goods_end"]
    assert not any("西湖区慈善超市" in str(m) for m in dispatcher.messages)
