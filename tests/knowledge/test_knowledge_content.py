"""The shipped content: enough articles on every topic, sources, sample marking, contacts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from knowledge.gazetteer import load_gazetteer
from knowledge.loader import KnowledgeBase, load_contacts
from knowledge.schema import SAMPLE_MARKER
from knowledge.tokenizer import DEFAULT_USER_DICTIONARY, check_user_dictionary

KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "knowledge"


def test_at_least_85_articles_covering_every_topic(real_kb: KnowledgeBase) -> None:
    assert len(real_kb) >= 85
    per_topic = Counter(article.topic for article in real_kb)
    assert set(per_topic) == set(real_kb.topics)
    assert all(count >= 2 for count in per_topic.values()), per_topic


def test_articles_are_short_polite_and_sourced(real_kb: KnowledgeBase) -> None:
    for article in real_kb:
        assert len(article.answer) <= 220, article.id
        assert len(article.questions) >= 4, article.id
        assert article.source.url or "《" in article.source.title or article.sample, article.id
        assert "你" not in article.answer, f"{article.id}: 请用“您”"


def test_sample_articles_say_so_and_tell_where_to_confirm(real_kb: KnowledgeBase) -> None:
    samples = [article for article in real_kb if article.sample]
    assert samples
    for article in samples:
        assert SAMPLE_MARKER in article.answer
        assert article.source.confidence == "sample"
        assert "12345" in article.answer or "街道" in article.answer or "咨询" in article.answer
    for article in real_kb:
        if not article.sample:
            assert SAMPLE_MARKER not in article.answer, article.id


def test_required_faq_articles_exist(real_kb: KnowledgeBase) -> None:
    for article_id in [
        "marriage-documents-2025",
        "marriage-documents-before-2025",
        "marriage-cooling-off",
        "marriage-nationwide",
        "marriage-reissue",
        "marriage-collective-hukou",
        "marriage-weekend-booking",
        "marriage-fees",
        "marriage-legal-age",
        "assistance-household-members",
        "assistance-dibao-conditions",
        "assistance-income-exclusions",
        "assistance-dibian",
        "assistance-tekun",
        "assistance-temporary-emergency",
        "assistance-temporary-expense",
        "assistance-where-to-apply",
        "assistance-online-apply",
        "eldercare-longevity-allowance",
        "eldercare-service-subsidy",
        "eldercare-ability-assessment",
        "eldercare-family-bed",
        "eldercare-meal-canteen",
        "eldercare-dementia-care",
        "charity-tax-individual",
        "charity-tax-company",
        "charity-receipt",
        "charity-trust-filing",
        "charity-day",
        "charity-99-day",
        "charity-check-registered",
        "charity-scam-warning",
        "bureau-contact",
    ]:
        assert article_id in real_kb, article_id


def test_key_facts_match_the_sources(real_kb: KnowledgeBase) -> None:
    def answer(article_id: str) -> str:
        article = real_kb.get(article_id)
        assert article is not None
        return article.answer

    assert "30日" in answer("marriage-cooling-off")
    assert "不再需要户口簿" in answer("marriage-documents-2025")
    assert "不得收取费用" in answer("marriage-fees")
    assert "30%" in answer("charity-tax-individual")
    assert "12%" in answer("charity-tax-company") and "三年" in answer("charity-tax-company")
    assert "财综〔2024〕1号" in answer("charity-receipt")
    assert "9月5日" in answer("charity-day")
    assert "7日" in answer("charity-trust-filing")
    bureau = answer("bureau-contact")
    assert "文三路359号" in bureau and "87008174" in bureau and "2019" in bureau


def test_contacts_are_sourced_and_unverified_ones_marked() -> None:
    contacts = {contact.number: contact for contact in load_contacts(KNOWLEDGE_DIR).contacts}
    for number in ("110", "120", "119"):
        assert contacts[number].well_known
    assert contacts["12345"].source is not None
    bureau = contacts["87008174"]
    assert bureau.as_of is not None and bureau.as_of.year == 2019
    assert contacts["12356"].sample  # not in the sourced facts


def test_user_dictionary_has_the_domain_terms() -> None:
    words = set(check_user_dictionary(DEFAULT_USER_DICTIONARY))
    for term in (
        "低保",
        "低边",
        "特困",
        "临时救助",
        "高龄津贴",
        "冷静期",
        "婚姻登记",
        "公益事业捐赠票据",
        "统一社会信用代码",
        "老年食堂",
        "西湖区",
        "余杭区",
    ):
        assert term in words, term
    gazetteer = load_gazetteer(KNOWLEDGE_DIR)
    assert gazetteer.normalise("助餐点") == "老年食堂"
    assert gazetteer.kind_of("萧山区") == "place"
