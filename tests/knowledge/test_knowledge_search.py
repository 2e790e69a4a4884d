"""Retrieval on the real knowledge base: real questions, out-of-scope questions, JSON output."""

from __future__ import annotations

import json

import pytest

from knowledge.search import KnowledgeIndex, decide
from knowledge.search_settings import SearchSettings, Thresholds
from knowledge.tokenizer import PLACE_TERM


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("结婚登记要带什么材料", "marriage-documents-2025"),
        ("离婚冷静期是多少天", "marriage-cooling-off"),
        ("低保边缘户怎么认定", "assistance-dibian"),
        ("八十多岁的老人有高龄津贴吗", "eldercare-longevity-allowance"),
        ("企业捐款超过12%的部分怎么处理", "charity-tax-company"),
        ("公益事业捐赠票据电子版有效吗", "charity-receipt-electronic"),
        ("不保留骨灰有没有奖励", "funeral-ashes-reward"),
        ("民政局的地址在哪里", "bureau-contact"),
    ],
)
def test_real_questions_find_their_article(
    real_index: KnowledgeIndex, question: str, expected: str
) -> None:
    result = real_index.search(question)
    assert result.best is not None
    assert result.best.article_id == expected
    assert result.decision in ("answer", "suggest")


@pytest.mark.parametrize(
    "question",
    ["今天天气怎么样", "推荐一只股票", "你喜欢吃什么", "哈哈哈哈", "", "？？？"],
)
def test_out_of_scope_questions_get_none(real_index: KnowledgeIndex, question: str) -> None:
    result = real_index.search(question)
    assert result.decision == "none"
    assert result.answer is None
    assert result.suggestions == []


def test_confident_answer_carries_article_source_and_dates(real_index: KnowledgeIndex) -> None:
    result = real_index.search("办理婚姻登记收不收费")
    assert result.decision == "answer"
    assert result.answer is not None
    article = result.answer.article
    assert article.id == "marriage-fees"
    assert article.source.url is not None
    assert str(article.effective_from) == "2025-05-10"
    assert 0 < result.answer.confidence <= 1
    assert result.margin >= real_index.settings.thresholds.answer_min_margin


def test_close_call_offers_two_or_three_titles(real_index: KnowledgeIndex) -> None:
    # Three articles are about 春风行动; a vague question should not pick one blindly.
    result = real_index.search("春风行动")
    assert result.decision == "suggest"
    assert 2 <= len(result.suggestions) <= 3
    assert {s.article_id for s in result.suggestions} <= {
        "charity-chunfeng",
        "charity-chunfeng-donate",
        "charity-chunfeng-rebate",
    }


def test_result_is_json_serialisable(real_index: KnowledgeIndex) -> None:
    result = real_index.search("低保怎么申请")
    payload = json.loads(result.model_dump_json())
    assert payload["decision"] in ("answer", "suggest", "none")
    assert payload["matches"][0]["article"]["source"]["title"]
    assert set(payload["matches"][0]["signal_scores"]) == {"article", "best_question", "characters"}


def test_typo_is_repaired_by_pinyin(real_index: KnowledgeIndex) -> None:
    result = real_index.search("低宝标准")
    assert "低保" in result.terms
    assert result.best is not None and result.best.article_id == "assistance-dibao-standard"


def test_places_and_services_are_recognised(real_index: KnowledgeIndex) -> None:
    result = real_index.search("户口在萧山能去西湖区领证吗")
    assert result.places == ["萧山区", "西湖区"]
    assert "结婚登记" in result.services
    assert PLACE_TERM in result.terms


def test_domain_terms_stay_whole(real_index: KnowledgeIndex) -> None:
    words = real_index.tokenizer.words("公益事业捐赠票据和高龄津贴还有低边")
    assert {"公益事业捐赠票据", "高龄津贴", "低边"} <= set(words)
    assert real_index.tokenizer.parts("高龄津贴") == ["高龄", "津贴"]
    assert real_index.tokenizer.parts("春风行动") == ["春风", "行动"]
    assert real_index.tokenizer.parts("低保") == []


def test_thresholds_are_configurable(real_index: KnowledgeIndex) -> None:
    strict = SearchSettings(
        thresholds=Thresholds(
            answer_min_confidence=1.0, answer_min_margin=1.0, suggest_min_confidence=1.0
        )
    )
    index = KnowledgeIndex(
        real_index.knowledge_base, tokenizer=real_index.tokenizer, settings=strict
    )
    assert index.search("离婚冷静期到底多少天").decision == "none"


def test_decide_uses_confidence_and_margin() -> None:
    thresholds = Thresholds(
        answer_min_confidence=0.6, answer_min_margin=0.2, suggest_min_confidence=0.3
    )
    assert decide(0.8, 0.2, thresholds)[0] == "answer"
    assert decide(0.8, 0.75, thresholds)[0] == "suggest"  # too close to the runner-up
    assert decide(0.4, 0.0, thresholds)[0] == "suggest"
    assert decide(0.2, 0.0, thresholds)[0] == "none"
    assert decide(0.0, 0.0, thresholds) == ("none", 0.0)


def test_example_question_is_answered_by_its_article(real_index: KnowledgeIndex) -> None:
    # "离婚冷静期多少天" is close to the day-count article too, but editors listed it here.
    result = real_index.search("离婚冷静期多少天？")
    assert result.exact_question
    assert result.decision == "answer"
    assert result.answer is not None and result.answer.article_id == "marriage-cooling-off"
    ranked_only = real_index.search("离婚冷静期多少天？", exact=False)
    assert not ranked_only.exact_question


def test_linked_articles_do_not_block_a_direct_answer(real_index: KnowledgeIndex) -> None:
    # The day-count article ranks close behind, but editors linked it with `related`.
    result = real_index.search("离婚冷静期有多长时间啊")
    assert result.matches[1].article_id == "marriage-cooling-off-day-count"
    assert real_index.related("marriage-cooling-off", "marriage-cooling-off-day-count")
    assert result.decision == "answer"
    assert result.answer is not None and result.answer.article_id == "marriage-cooling-off"
    assert "30" in result.answer.article.answer


def test_unlinked_close_articles_give_suggestions(real_index: KnowledgeIndex) -> None:
    result = real_index.search("补贴怎么领")
    assert result.decision == "suggest"
    assert not real_index.related(result.matches[0].article_id, result.matches[1].article_id)
