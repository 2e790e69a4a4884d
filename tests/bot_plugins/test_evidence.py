"""The evidence rules that decide whether a service intent may start its form."""

from __future__ import annotations

from functools import cache

import pytest
import yaml

from bot_plugins.evidence import Lexicon, Verdict, decide
from bot_plugins.evidence_config import lexicon_from_config
from core.settings import PROJECT_ROOT

EVIDENCE_FILE = PROJECT_ROOT / "nlu_data" / "evidence.yml"


@cache
def lexicon() -> Lexicon:
    """The lexicon exactly as the EvidenceGate builds it from config.yml and the lookups."""
    lookups = {
        item["lookup"]: [line.strip()[2:] for line in item["examples"].splitlines() if line.strip()]
        for item in yaml.safe_load(EVIDENCE_FILE.read_text(encoding="utf-8"))["nlu"]
    }
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    gate = next(c for c in config["pipeline"] if c["name"].endswith("EvidenceGate"))
    regexes = {"marriage_reference": [r"[Hh][Yy]\W{0,2}\d{8}\W{0,2}\d{4}"]}
    return lexicon_from_config(gate, lookups, regexes)


def decided(
    text: str, intent: str, confidence: float = 0.7, runner_up: float = 0.2, second: str = "greet"
) -> Verdict:
    ranking = [(intent, confidence), (second, runner_up)]
    return decide(lexicon(), text, intent, confidence, ranking, confident=0.9, margin=0.5)


def verdict(text: str, intent: str, confidence: float = 0.7, runner_up: float = 0.2) -> str:
    return decided(text, intent, confidence, runner_up).outcome


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("我想预约结婚登记", "request_marriage_booking"),
        ("下周二想去领证", "request_marriage_booking"),
        ("帮我看看能不能申请低保", "request_prescreen"),
        ("附近有没有养老院", "request_eldercare"),
        ("我想捐款100元", "pledge_donation"),
        ("想给养老院的老人捐些东西", "ask_goods_donation"),
        ("HY-20261203-0001 改个时间", "reschedule_marriage_booking"),
        ("怎么预约结婚登记", "request_marriage_booking"),
    ],
)
def test_a_request_with_evidence_keeps_its_service(text: str, intent: str) -> None:
    assert verdict(text, intent) == "keep"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("结婚了吗", "request_marriage_booking"),
        ("提醒我明天约老同学", "request_marriage_booking"),
        ("查询一下明天广州到武汉的航班", "check_marriage_booking"),
        ("搜索中国共产党章程", "request_eldercare"),
    ],
)
def test_off_topic_never_starts_a_service(text: str, intent: str) -> None:
    # Even a classifier that is sure of itself does not open a form for these.
    assert verdict(text, intent, confidence=0.99, runner_up=0.0) == "off_topic"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("现役军人结婚登记需要什么材料", "request_marriage_booking"),
        ("低保每个月几号发", "request_prescreen"),
        ("一方不能到场可以委托别人办离婚吗", "cancel_marriage_booking"),
        ("养老院收费标准是多少", "request_eldercare"),
    ],
)
def test_a_question_about_a_service_goes_to_the_knowledge_base(text: str, intent: str) -> None:
    assert verdict(text, intent, confidence=0.99, runner_up=0.0) == "question"


def test_a_generic_verb_for_another_subject_is_a_question_not_the_service() -> None:
    # 结婚 + 办理 is marriage evidence, but the message asks how to adopt.
    adoption = "我们结婚好多年了没有孩子，想收养一个，请问该如何办理"
    assert verdict(adoption, "request_marriage_booking") == "question"
    unsure = [
        ("nlu_fallback", 0.55),
        ("describe_household", 0.4),
        ("request_marriage_booking", 0.02),
    ]
    turned_away = decide(
        lexicon(), adoption, "nlu_fallback", 0.55, unsure, confident=0.9, margin=0.5
    )
    assert turned_away.outcome == "keep", turned_away
    # The service's own verb (找, 预约) or its phrase keeps it, whatever else is named.
    assert verdict("我妈是低保户，想找个便宜的养老院，怎么找", "request_eldercare") == "keep"
    assert verdict("我是残疾人，想结婚要去哪里预约", "request_marriage_booking") == "keep"


def test_a_named_service_without_a_request_is_confirmed_first() -> None:
    assert verdict("结婚登记", "request_marriage_booking") == "confirm"


def test_a_sure_classifier_with_the_service_named_may_start_it() -> None:
    assert verdict("结婚登记", "request_marriage_booking", 0.97, 0.01) == "keep"


def test_no_evidence_and_no_certainty_is_unclear() -> None:
    assert verdict("随便吧", "request_eldercare") == "unclear"


def test_intents_that_start_nothing_are_left_alone() -> None:
    assert verdict("结婚了吗", "out_of_scope") == "keep"


def test_a_bare_search_condition_is_marked_as_needing_context() -> None:
    found = decided("萧山区的", "inform_eldercare", 0.9, 0.0)
    assert (found.outcome, found.intent) == ("context", "request_eldercare")


def test_a_condition_that_asks_for_a_place_needs_no_context() -> None:
    assert verdict("想在拱墅找个养老院，六千以内", "inform_eldercare") == "keep"


def test_a_plain_question_among_form_answers_is_a_question() -> None:
    assert verdict("身份证过期了需要什么材料", "inform_marriage_details") == "question"
    assert verdict("下周三上午", "inform_marriage_details") == "keep"


def test_off_topic_words_in_a_form_answer_make_it_off_topic() -> None:
    assert verdict("查询4月1号从武汉到广州的航班", "inform_marriage_details") == "off_topic"


def test_a_gift_to_another_organisation_or_platform_is_a_question_not_our_form() -> None:
    assert verdict("我想给红十字会捐款", "pledge_donation") == "question"
    assert verdict("想在腾讯公益上捐点钱", "request_donation") == "question"
    assert verdict("我想捐款100元", "pledge_donation") == "keep"


def test_weather_small_talk_is_off_topic_even_with_a_day_in_it() -> None:
    # the configured words (config.yml `words: off_topic`), not only the lookup table
    assert verdict("明天有没有雨", "inform_marriage_details") == "off_topic"
    assert verdict("合肥明天的湿度如何", "inform_marriage_details") == "off_topic"
    # a civil-affairs subject beside them keeps the question
    assert verdict("台风天殡仪馆开门吗", "ask_policy_question") == "keep"


def test_a_holiday_is_a_day_the_booking_form_reads_not_small_talk() -> None:
    for day in ("中秋节那天上午", "端午节下午", "元旦", "下周星期几有号"):
        assert verdict(day, "inform_marriage_details") == "keep", day


def test_a_civil_affairs_question_turned_away_goes_to_the_knowledge_base() -> None:
    assert verdict("家属如何领取丧葬费", "out_of_scope") == "question"
    assert verdict("明天天气怎么样", "out_of_scope") == "keep"
    assert verdict("我要买福彩", "out_of_scope") == "keep"
    # a travel word does not make a question about a civil-affairs subject off-topic
    assert verdict("残疾人坐公交免费吗", "out_of_scope") == "question"
    assert verdict("坐公交免费吗", "out_of_scope") == "keep"
    # typed like a search box: a civil-affairs subject and what is asked about it
    assert verdict("2021福利彩票双色球规则", "out_of_scope") == "question"
    assert verdict("天气预报规则", "out_of_scope") == "keep"


def test_a_reference_number_is_evidence_whatever_its_case() -> None:
    assert verdict("hy-20261203-0001 改个时间", "reschedule_marriage_booking") == "keep"


def test_chit_chat_read_as_a_question_is_off_topic() -> None:
    assert verdict("结婚了吗", "ask_policy_question") == "off_topic"
    assert verdict("结婚登记要带什么材料", "ask_policy_question") == "keep"


def test_unsure_chit_chat_is_off_topic_words_without_a_civil_subject() -> None:
    assert verdict("结婚了吗", "nlu_fallback") == "off_topic"
    assert verdict("下雨天殡仪馆开门吗", "nlu_fallback") == "keep"


def test_a_turned_away_request_with_evidence_gets_its_ranked_service() -> None:
    found = decided("我想捐款100元", "out_of_scope", 0.6, 0.3, second="pledge_donation")
    assert (found.outcome, found.intent) == ("rescue", "pledge_donation")
    assert verdict("提醒我明天去捐款", "out_of_scope") == "keep"


def test_every_civil_subject_the_gate_rescues_has_an_office_to_refer_to() -> None:
    # A question the gate takes back from "out of scope" for its civil-affairs subject reaches the
    # knowledge base; with no article it must get the office in charge, or for a benefit not
    # named (津贴) the question which one it is: never a bare 没太明白.
    from knowledge.store import get_store

    store = get_store()
    without_office = [
        w
        for w in lexicon().civil_topic
        if store.referral_for(w) is None and not store.vague_words_in(w)
    ]
    assert without_office == []


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("现役军人结婚要开什么证明", "marriage"),
        ("老人去世后迁坟有补贴吗", "funeral"),
        ("家里老人得了老年痴呆，白天没人照顾怎么办", "eldercare"),
        ("孩子是脑瘫，能领什么钱", "disability"),
        ("村里撤村建居以后选民登记在哪", "community"),
    ],
)
def test_civil_subjects_in_citizens_words_are_rescued_and_referred(text: str, topic: str) -> None:
    from knowledge.store import get_store

    assert verdict(text, "out_of_scope") == "question"
    referral = get_store().referral_for(text)
    assert referral is not None and referral.topic == topic


@pytest.mark.parametrize(
    "text",
    [
        "算了，我先问问家里人",
        "算了吧，先不約了",
        "不办了，我回去再商量商量",
        "先不预约了。我再想想",
        "還是算了，我問問家裡人",
        "算了",
    ],
)
def test_a_sentence_opening_with_a_stop_phrase_stops(text: str) -> None:
    # Whatever the classifier guessed (here: a name for the form), the citizen said stop.
    assert verdict(text, "inform_marriage_details") == "stop"
    assert verdict(text, "nlu_fallback", 0.55) == "stop"


@pytest.mark.parametrize(
    "text",
    [
        "算了，还是改到下周五吧",  # changes an answer
        "算了，不要票据了",  # answers the receipt question
        "我算了一下收入大概三千",  # 算了 inside a word, not an opening
        "不用了",  # an answer ("需要票据吗？"), not a stop
    ],
)
def test_a_stop_word_that_is_not_a_stop_is_left_alone(text: str) -> None:
    assert verdict(text, "inform_marriage_details") != "stop"


def test_a_stop_phrase_before_something_off_topic_keeps_the_off_topic_reading() -> None:
    assert verdict("算了，给我讲个笑话吧", "out_of_scope") != "stop"


@pytest.mark.parametrize("text", ["转人工", "我要跟真人说话", "叫个工作人员来", "机器人不行，换人"])
def test_asking_for_a_person_is_evidence_for_the_handoff(text: str) -> None:
    assert verdict(text, "request_human") == "keep"


@pytest.mark.parametrize("text", ["我要找工作", "帮我找个保姆", "活人怎么办理遗体捐献"])
def test_no_handoff_without_asking_for_a_person(text: str) -> None:
    # Read as 转人工 by the classifier, but nothing asks for a person: no ticket for hotline staff.
    assert verdict(text, "request_human", confidence=0.84, runner_up=0.04) != "keep"
    assert verdict(text, "request_human", confidence=0.99, runner_up=0.0) != "keep"


def test_the_handoff_words_are_not_classifier_features() -> None:
    # A lookup table in the training data is a feature; these stay in the gate's configuration.
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    gate = next(c for c in config["pipeline"] if c["name"].endswith("EvidenceGate"))
    assert "gate_handoff_strong" not in EVIDENCE_FILE.read_text(encoding="utf-8")
    assert "客服" in gate["words"]["handoff"]


def test_someone_elses_hotline_is_not_read_as_a_request_for_ours() -> None:
    # Turned away by the classifier, 转人工 ranked second, "人工" in it: still turned away.
    outcome = decided("10086热线人工服务几点开始", "out_of_scope", 0.6, 0.3, "request_human")
    assert outcome.outcome != "rescue"


@pytest.mark.parametrize(
    ("text", "intent", "outcome"),
    [
        ("基金会是干嘛的", "request_menu", "question"),  # 基金会, not the assistant
        ("低边户是干什么的", "ask_bot_identity", "question"),
        ("你是干嘛的", "request_menu", "keep"),
        ("你是民政局的机器人吗", "ask_bot_identity", "keep"),
        ("民政局能办哪些事", "request_menu", "keep"),  # the assistant speaks for 民政
        ("今天天气真好", "ask_bot_identity", "keep"),
    ],
)
def test_small_talk_about_a_civil_subject_is_a_question(
    text: str, intent: str, outcome: str
) -> None:
    assert verdict(text, intent) == outcome


@pytest.mark.parametrize(
    "text", ["我想捐骨髓", "我要捐献遗体", "想去献血", "我死后想把器官捐了", "我要捐肾给我哥"]
)
def test_giving_blood_organs_or_the_body_starts_no_donation(text: str) -> None:
    assert verdict(text, "pledge_donation", confidence=0.99, runner_up=0.0) == "question"


@pytest.mark.parametrize("text", ["我想捐款100元", "我想为白血病患者捐款", "把我的血汗钱捐给灾区"])
def test_money_for_patients_is_still_a_donation(text: str) -> None:
    assert verdict(text, "pledge_donation", confidence=0.99, runner_up=0.0) == "keep"
