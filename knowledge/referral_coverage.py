"""Every article's question names a topic whose office can take it (``make kb-check`` warns).

It also warns when a title or example question would be taken for another department's
business (``other_agencies``): the citizen asking it would be sent away instead of answered.

A citizen's question that the knowledge base cannot answer is still referred to the office in
charge when it uses one of a topic's words (``referrals.yml``), and gets 没太明白 when it uses
none. The articles' titles and example questions are the catalogue's own words for what the
bureau does, so each of them should be recognised: an article whose question no topic's words
reach marks words the editors should add, before a citizen asks it in words the search misses.
"""

from __future__ import annotations

from knowledge.findings import Finding
from knowledge.loader import KnowledgeBase


def check_referral_coverage(kb: KnowledgeBase) -> list[Finding]:
    """Warnings for titles and example questions the referrals would miss or send away.

    One per title or question that no topic's referral words reach, and one per title or
    question that another department's words would claim (``other_agencies``).
    """
    referrals = kb.referrals
    if referrals is None:
        return []
    findings = []
    for article in kb.articles:
        location = kb.locations[article.id]
        asked = [(location.field_lines.get("title"), article.title)]
        asked += [
            (location.line_of_question(number), question)
            for number, question in enumerate(article.questions)
        ]
        findings += [
            Finding(
                "警告",
                location.path,
                line,
                f"「{text}」里没有 referrals.yml 任何主题的关键词：知识库答不上这样问的问题"
                f"时，市民只会听到“没太明白”；请在「{article.topic}」的 keywords 里补上"
                "这个说法的关键词",
            )
            for line, text in asked
            if referrals.for_text(text) is None
        ]
        findings += [
            Finding(
                "警告",
                location.path,
                line,
                f"「{text}」会被当作其他部门「{pointer.office}」的事（referrals.yml 的 "
                "other_agencies）：市民这样问时只会被告知去找那个部门；请从那个部门的 keywords "
                f"里去掉这个说法里的词，或给「{article.topic}」补上关键词",
            )
            for line, text in asked
            if (pointer := referrals.other_agency_for(text)) is not None
        ]
    return findings
