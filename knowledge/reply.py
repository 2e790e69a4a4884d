"""What the assistant does with a question the knowledge base handles: one decision, two users.

The action server renders it (``actions/knowledge.py``); the evaluation replay
(``testkit.citizen_replay``) counts it, so a change to articles, keywords or thresholds can be
tried against every evaluation set without serving Rasa again, and the count is of what citizens
would see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from knowledge.answer import answered_article
from knowledge.referrals import AgencyPointer, TopicReferral
from knowledge.schema import Article
from knowledge.search_results import SearchResult
from knowledge.store import KnowledgeStore

ReplyKind = Literal["answer", "suggest", "referral", "not_understood"]


@dataclass(frozen=True)
class KnowledgeReply:
    """A civil-affairs reply: its kind, the search behind it and the topic's office, if named."""

    kind: ReplyKind
    result: SearchResult
    referral: TopicReferral | None = None
    # Not understood, but the message means some benefit (补贴, 补助 …): ask which one.
    vague_words: tuple[str, ...] = ()

    @property
    def article(self) -> Article | None:
        """The answered article (kind ``answer``)."""
        return answered_article(self.result)


def search_in_context(store: KnowledgeStore, question: str, subject: str | None) -> SearchResult:
    """The question's own result when it answers; else the one with the service's words.

    "要带什么材料" during a marriage booking means the marriage documents, not the 低保 ones:
    when the question alone gets no direct answer, it is searched again with the words of the
    service being filled in (``subject``), and the better of the two results is used.
    """
    plain = store.search(question)
    if subject is None or plain.decision == "answer" or subject in question:
        return plain
    within = store.search(f"{subject}{question}")
    if within.decision == "answer" or (within.decision == "suggest" and within.suggestions):
        return within
    return plain


def decide_reply(
    store: KnowledgeStore, question: str, *, subject: str | None = None, in_form: bool = False
) -> AgencyPointer | KnowledgeReply:
    """Another department's business, or an answer, a menu, a referral, or not understood.

    A question about another department's business (社保, 户口, 个税 …: ``other_agencies`` in
    ``referrals.yml``) is told so, instead of an article that only shares its words; inside a
    form that check is skipped (the message is most likely an answer the form reads). A menu of
    close articles is offered only when the articles share one topic or one of them is of the
    topic the message names ("糖尿病注意什么" shares a word with 公墓 and one with 社团 names: no
    menu; "怎么投诉社区工作人员" names 社区 and gets its office, not a menu of marriage, care
    and funeral articles). Without an answer or a menu, a message that names a civil-affairs
    topic gets that topic's office; one that only means some benefit ("这项补贴停发了") is not
    understood, with the words that show it (``vague_words``), so the citizen is asked which.

    Args:
        store: The knowledge base.
        question: The citizen's message (normalised by the gateway).
        subject: The words of the service whose form is running, if one is.
        in_form: A form runs next, so another department is not named.
    """
    agency = None if in_form else store.other_agency_for(question)
    if agency is not None:
        return agency
    result = search_in_context(store, question, subject)
    referral = store.referral_for(result.query)
    if answered_article(result) is not None:
        return KnowledgeReply("answer", result, referral=referral)
    menu_fits = result.suggests_one_topic or (
        referral is not None and referral.topic in {match.topic for match in result.suggestions}
    )
    if menu_fits and result.decision == "suggest" and result.suggestions:
        return KnowledgeReply("suggest", result, referral=referral)
    if referral is not None:
        return KnowledgeReply("referral", result, referral=referral)
    return KnowledgeReply("not_understood", result, vague_words=store.vague_words_in(result.query))
