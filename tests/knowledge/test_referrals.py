"""A civil-affairs question without an article is referred to the office in charge."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.loader import LoadReport, scan_knowledge_base
from knowledge.referrals import ReferralBook
from knowledge.store import get_store
from knowledge.yamlfile import KnowledgeError


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("我家老人去世了火化以后骨灰怎么办", "funeral"),
        ("家里的后事该怎么操办", "funeral"),
        ("守灵和头七有什么讲究", "funeral"),
        ("三无老人能领多少钱", "assistance"),
        ("我们社区居委会什么时候换届", "community"),
        ("福彩中奖了去哪兑奖", "lottery"),
        ("区民政局办离婚要排队多久", "marriage"),
        ("老家的村名可以改回原来的吗", "place-names"),
        ("成立一个协会要交什么材料", "social-org"),
        ("周末想去做志愿，在哪报名", "volunteer"),
    ],
)
def test_topic_words_pick_the_office(text: str, topic: str) -> None:
    referral = get_store().referral_for(text)
    assert referral is not None and referral.topic == topic
    assert "12345" in referral.contact_line()


def test_the_bureau_as_a_whole_only_when_no_topic_fits() -> None:
    # "民政局" is a general word: a specific topic's word outweighs it, however often it appears.
    referral = get_store().referral_for("民政局的民政部门管不管婚姻登记")
    assert referral is not None and referral.topic == "marriage"
    general = get_store().referral_for("民政局的办事大厅几点开门")
    assert general is not None and general.topic == "bureau"


@pytest.mark.parametrize("text", ["这项补贴为什么从上个月起停发了", "补助什么时候到账"])
def test_a_benefit_not_named_is_no_topic_but_a_vague_word(text: str) -> None:
    # "补贴" alone does not say whose: the citizen is asked which one (knowledge.reply).
    store = get_store()
    assert store.referral_for(text) is None
    assert store.vague_words_in(text)


def test_a_named_benefit_is_its_topics() -> None:
    referral = get_store().referral_for("残疾人两项补贴为什么停发了")
    assert referral is not None and referral.topic == "disability"


def test_a_message_about_no_topic_has_no_referral() -> None:
    assert get_store().referral_for("明天杭州天气怎么样") is None


@pytest.mark.parametrize(
    "text",
    ["新开的楼盘名字可以随便起吗", "我们村原来的名称还能不能恢复", "这条新修的道路名字是谁定的"],
)
def test_a_place_and_its_name_together_point_to_place_names(text: str) -> None:
    referral = get_store().referral_for(text)
    assert referral is not None and referral.topic == "place-names"


@pytest.mark.parametrize(
    "text", ["你叫什么名字", "路由器的名字怎么改", "杭州好玩的地方有哪些", "这首歌的名称是什么"]
)
def test_a_name_or_a_place_alone_is_no_place_name_question(text: str) -> None:
    assert get_store().referral_for(text) is None


MARRIAGE = (
    "referrals:\n  marriage:\n    office: 婚姻登记处\n    contacts: [{line}]\n"
    "    keywords: [结婚]\n"
)
TAX_OFFICE = (
    "other_agencies:\n  tax:\n    office: 税务部门\n    contacts: [{line}]\n    keywords: [个税]\n"
)


@pytest.mark.parametrize(
    "document",
    [
        MARRIAGE.format(line="no-such-line"),
        MARRIAGE.format(line="hotline-12345") + TAX_OFFICE.format(line="no-such-line"),
    ],
    ids=["topic", "other-agency"],
)
def test_a_referral_to_an_unknown_contact_is_refused(tmp_path: Path, document: str) -> None:
    errors = referral_errors(tmp_path, document)
    assert errors and "no-such-line" in errors[0].message


def test_a_shared_word_that_is_nobodys_keyword_is_refused(tmp_path: Path) -> None:
    # A typo in shared_words would silently change nothing: the editor is told instead.
    document = MARRIAGE.format(line="hotline-12345") + "shared_words: [结昏]\n"
    errors = referral_errors(tmp_path, document)
    assert errors and "结昏" in errors[0].message


def test_a_vague_word_that_is_also_a_keyword_is_refused(tmp_path: Path) -> None:
    # It could never be the only word of a message: the editor keeps it in one place.
    document = MARRIAGE.format(line="hotline-12345") + "vague_words: [补贴, 结婚]\n"
    errors = referral_errors(tmp_path, document)
    assert errors and "结婚" in errors[0].message and "补贴" not in errors[0].message


def referral_errors(tmp_path: Path, document: str) -> list[KnowledgeError]:
    """The errors of a knowledge base with the real topics and contacts and this referrals.yml."""
    errors = scan_with_referrals(tmp_path, document).errors
    assert all(isinstance(error, KnowledgeError) for error in errors)
    return list(errors)


def referral_book(tmp_path: Path, document: str) -> ReferralBook:
    """The referrals of a knowledge base with this referrals.yml, which must load without errors."""
    report = scan_with_referrals(tmp_path, document)
    assert report.errors == ()
    assert report.knowledge_base.referrals is not None
    return report.knowledge_base.referrals


def scan_with_referrals(tmp_path: Path, document: str) -> LoadReport:
    """Scan a knowledge base of the real topics and contacts, no articles and this referrals.yml."""
    source = Path(get_store().root)
    for name in ("topics.yml", "contacts.yml"):
        (tmp_path / name).write_text((source / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "articles").mkdir()
    (tmp_path / "referrals.yml").write_text(document, encoding="utf-8")
    return scan_knowledge_base(tmp_path)


def test_every_topic_has_an_office_to_refer_to() -> None:
    store = get_store()
    kb = store.knowledge_base
    assert kb is not None and kb.referrals is not None
    for topic, name in kb.topics.items():
        referral = kb.referrals.for_text(name)
        assert referral is not None and referral.topic == topic, f"{topic} ({name})"


def test_a_word_pair_needs_a_word_of_each_list(tmp_path: Path) -> None:
    document = MARRIAGE.format(line="hotline-12345") + (
        "    word_pairs:\n      - first: [登记处]\n        second: [排队, 人多]\n"
    )
    referrals = referral_book(tmp_path, document)
    found = referrals.for_text("登记处今天人多吗")
    assert found is not None and found.topic == "marriage"
    assert referrals.for_text("登记处在哪") is None
    assert referrals.for_text("银行排队人多吗") is None


def test_a_topic_found_only_by_a_word_pair_yields_a_tie_to_a_keyword(tmp_path: Path) -> None:
    document = (
        "referrals:\n"
        "  marriage:\n    office: 婚姻登记处\n    contacts: [hotline-12345]\n    keywords: [排队]\n"
        "  funeral:\n    office: 殡仪馆\n    contacts: [hotline-12345]\n    keywords: [火化]\n"
        "    word_pairs:\n      - first: [登记处]\n        second: [人多]\n"
    )
    # one word each; the pair's "登记处+人多" is longer, but a keyword wins the tie
    found = referral_book(tmp_path, document).for_text("登记处排队人多吗")
    assert found is not None and found.topic == "marriage"
