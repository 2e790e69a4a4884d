"""The marriage booking form's answers: business, office, people, phone; side questions."""

from __future__ import annotations

import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.marriage import MarriageApi
from actions.marriage import booking as booking_actions
from actions.marriage import common as s
from actions.marriage import form
from actions.marriage.parsing import parse_business_type
from core.sealing import unseal
from testkit.trackers import EMPTY_DOMAIN, make_tracker, user_event
from tests.actions.marriage_support import (
    DOMAIN_FILE,
    answer,
    bookable,
    filled,
    make_id,
    md,
    responses,
    run,
)
from tests.actions.marriage_support import api as api
from tests.actions.marriage_support import app as app
from tests.actions.marriage_support import down as down
from tests.actions.marriage_support import factory as factory


def test_one_sentence_fills_business_office_date_and_half_day(api: MarriageApi) -> None:
    day = bookable(2)
    changes, messages = answer(f"我想{md(day)}上午在西湖区登记结婚", {"requested_slot": None})
    assert changes[s.BUSINESS_TYPE] == "marriage"
    assert changes[s.OFFICE] == "xihu"
    assert changes[s.DATE] == day.isoformat()
    assert changes[s.HALF_DAY] == "am"
    assert "utter_marriage_slot_full" not in responses(messages)


def test_divorce_explains_the_cooling_off_period_first(api: MarriageApi) -> None:
    changes, messages = answer("离婚登记申请", {"requested_slot": s.BUSINESS_TYPE})
    assert changes[s.BUSINESS_TYPE] == "divorce"
    [explanation] = [m for m in messages if m["response"] == "utter_marriage_divorce_cooling_off"]
    assert explanation["days"] == 30


def test_underage_gets_a_gentle_explanation_instead_of_a_booking(api: MarriageApi) -> None:
    slots = {
        "requested_slot": s.PARTY1_ID,
        s.BUSINESS_TYPE: "marriage",
        s.DATE: bookable().isoformat(),
    }
    changes, messages = answer(make_id(male=True, age=21), slots)
    assert changes[s.PARTY1_ID] is None
    [message] = messages
    assert message["response"] == "utter_marriage_underage"
    assert message["minimum_age"] == 22
    changes, _ = answer(make_id(male=True, age=21), {**slots, s.BUSINESS_TYPE: "reissue"})
    assert changes[s.PARTY1_ID] is not None


def test_id_errors_name_the_problem_and_passports_move_to_the_city_office(
    api: MarriageApi,
) -> None:
    slots = {"requested_slot": s.PARTY2_ID, s.BUSINESS_TYPE: "marriage", s.OFFICE: "xihu"}
    changes, messages = answer("33010619900101123", slots)
    assert changes[s.PARTY2_ID] is None
    assert responses(messages) == ["utter_marriage_id_invalid_length"]
    changes, messages = answer("E12345678", slots)
    assert unseal(changes[s.PARTY2_ID]) == "E12345678"
    assert changes[s.PARTY2_ID_KIND] == "passport"
    assert changes[s.OFFICE] == "city"
    assert "utter_marriage_city_office_only" in responses(messages)


def test_a_phone_read_out_in_chinese_digits_is_taken(api: MarriageApi) -> None:
    slots = filled(**{s.PHONE: None, s.CONFIRMED: None, "requested_slot": s.PHONE})
    changes, _ = answer("一三八一二三四五六七八", slots)
    assert changes[s.PHONE] == "13812345678"


def test_a_name_the_nlu_took_for_handoff_is_still_a_name(api: MarriageApi) -> None:
    changes, _ = answer("我叫孙悦", {"requested_slot": s.PARTY1_NAME}, intent="request_human")
    assert changes[s.PARTY1_NAME] == "孙悦"
    assert parse_business_type("补个结婚证") == "reissue"


def test_digressions_stop_and_handoff_leave_the_form_to_the_rules(api: MarriageApi) -> None:
    for text, intent in (
        ("算了不约了", "stop"),
        ("转人工", "request_human"),
        ("要带什么材料？", "ask_policy_question"),
    ):
        changes, messages = answer(text, {"requested_slot": s.PARTY1_NAME}, intent=intent)
        assert changes == {} and messages == []
    # after a side question was answered, the form does not read the question as an answer
    tracker = make_tracker(
        [
            user_event("可以周末去吗", "ask_policy_question"),
            {"event": "action", "name": "action_answer_from_knowledge"},
        ],
        slots={"requested_slot": s.DATE},
        active_loop="marriage_form",
    )
    dispatcher = CollectingDispatcher()
    assert run(form.ValidateMarriageForm().run(dispatcher, tracker, EMPTY_DOMAIN)) == []


def test_back_office_down_is_said_plainly(down: None) -> None:
    changes, messages = answer("西湖区", {"requested_slot": s.OFFICE})
    assert responses(messages) == ["utter_records_unavailable"]
    assert changes == {s.OFFICE: None}


def test_an_unclassified_question_mid_form_goes_to_the_knowledge_base(api: MarriageApi) -> None:
    changes, messages = answer("可以周末去吗？", {"requested_slot": s.DATE}, intent="nlu_fallback")
    assert changes == {} and messages == []
    changes, messages = answer("可以周末去吗？", {"requested_slot": s.DATE}, intent="out_of_scope")
    assert changes == {} and messages == []
    # a business word inside a side question does not make it an answer
    changes, messages = answer(
        "领证要带什么材料？", {"requested_slot": s.DATE}, intent="ask_policy_question"
    )
    assert changes == {} and messages == []
    # but a real answer classified as a question still counts
    day = bookable(2)
    changes, _ = answer(
        f"{md(day)}可以吗？", {"requested_slot": s.DATE}, intent="ask_policy_question"
    )
    assert changes[s.DATE] == day.isoformat()
    changes, messages = answer("嗯嗯嗯", {"requested_slot": s.DATE}, intent="nlu_fallback")
    assert changes == {s.DATE: None}
    assert responses(messages) == ["utter_marriage_unclear_date"]


def test_a_name_with_a_lead_in_is_stored_bare_and_shown_masked(api: MarriageApi) -> None:
    changes, _ = answer("我老公叫王强", {"requested_slot": s.PARTY2_NAME})
    assert changes[s.PARTY2_NAME] == "王强"
    changes, messages = answer("王小明同学", {"requested_slot": s.PARTY1_NAME})
    assert changes[s.PARTY1_NAME] is None
    assert responses(messages) == ["utter_marriage_name_invalid"]
    dispatcher = CollectingDispatcher()
    slots = filled(**{s.PARTY2_NAME: "王强"})
    run(
        booking_actions.ActionAskMarriageConfirmed().run(
            dispatcher, make_tracker(slots=slots), EMPTY_DOMAIN
        )
    )
    assert dispatcher.messages[0]["party2_name"] == "王*"


def test_a_question_at_the_business_type_step_is_not_an_answer(api: MarriageApi) -> None:
    asked = {"requested_slot": s.BUSINESS_TYPE}
    for text in ("结婚要带什么材料？", "离婚需要什么手续", "补领结婚证要多少钱"):
        changes, messages = answer(text, asked, intent="ask_policy_question")
        assert changes == {} and messages == [], text
    changes, _ = answer("结婚登记可以吗？", asked, intent="ask_policy_question")
    assert changes[s.BUSINESS_TYPE] == "marriage"
    # after the knowledge base answered, the form does not read the question again
    tracker = make_tracker(
        [
            user_event("结婚要带什么材料？", "ask_policy_question"),
            {"event": "action", "name": "action_answer_from_knowledge"},
        ],
        slots=asked,
        active_loop="marriage_form",
    )
    assert run(form.ValidateMarriageForm().run(CollectingDispatcher(), tracker, EMPTY_DOMAIN)) == []


def test_the_rules_answer_a_side_question_at_any_step_of_the_form() -> None:
    rules_file = DOMAIN_FILE.parents[1] / "data" / "rules" / "marriage.yml"
    with rules_file.open(encoding="utf-8") as handle:
        rules = yaml.safe_load(handle)["rules"]
    side = [
        r
        for r in rules
        if r.get("condition") == [{"active_loop": "marriage_form"}]
        and r["steps"][0] == {"intent": "ask_policy_question"}
    ]
    # no slot condition: the rule applies whichever question the form asked (business type too)
    assert [r["steps"][1:] for r in side] == [
        [
            {"action": "action_answer_from_knowledge"},
            {"action": "marriage_form"},
            {"active_loop": "marriage_form"},
        ]
    ]
