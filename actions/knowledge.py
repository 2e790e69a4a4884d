"""Answers from the editor-owned knowledge base (knowledge/), with its source and date.

The store reloads by itself when editors change files, so answers change without retraining.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError
from actions.clients.knowledge import get_knowledge_api
from actions.not_understood import ASK_REPHRASE, ASK_WHICH_BENEFIT, handle_not_understood
from actions.side_questions import form_subject, resume_form
from knowledge.answer import source_line
from knowledge.referrals import AgencyPointer
from knowledge.reply import decide_reply
from knowledge.schema import Article
from knowledge.search_results import SearchResult
from knowledge.store import get_store

logger = logging.getLogger(__name__)

ARTICLE_SLOT = "knowledge_article"
CHOOSE_ARTICLE_INTENT = "choose_article"
REFERRAL_RESPONSE = "utter_knowledge_referral"
OTHER_AGENCY_RESPONSE = "utter_other_agency"


def utter_answer(dispatcher: CollectingDispatcher, article: Article) -> list[dict[str, Any]]:
    """Give the article's answer with its source, date and the feedback buttons."""
    dispatcher.utter_message(
        response="utter_knowledge_answer_sample" if article.sample else "utter_knowledge_answer",
        answer=article.answer.strip(),
        source=source_line(article),
        updated=article.effective_from.isoformat(),
    )
    return [SlotSet(ARTICLE_SLOT, article.id)]


def utter_suggestions(dispatcher: CollectingDispatcher, result: SearchResult) -> None:
    """Offer the two or three closest articles as buttons."""
    buttons = [
        {
            "title": match.title,
            "payload": f'/{CHOOSE_ARTICLE_INTENT}{{"{ARTICLE_SLOT}": "{match.article_id}"}}',
        }
        for match in result.suggestions
    ]
    dispatcher.utter_message(response="utter_knowledge_suggest", buttons=buttons)


async def record_unanswered(tracker: Tracker, result: SearchResult) -> None:
    """Tell the back office a question found no answer, so editors see what to write next."""
    best = result.best
    try:
        await get_knowledge_api().record_unanswered(
            conversation_id=tracker.sender_id,
            question=result.query,
            best_article=best.article_id if best else None,
            best_confidence=best.confidence if best else None,
        )
    except BackofficeError:
        logger.warning("could not record an unanswered question", exc_info=True)


async def answer_or_fall_back(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, form_follows: bool = False
) -> list[dict[str, Any]]:
    """Answer the latest message from the knowledge base, or say who can answer it.

    ``knowledge.reply.decide_reply`` decides; this renders. Another department's business is
    told so, with the department and the lines to call. A civil-affairs question without a good
    article gets an honest "no verified answer yet", the office in charge and its lines, and is
    recorded for the editors; only a message about none of the topics takes the not-understood
    path (asking which benefit when it only says 补贴, 补助 …).

    Args:
        dispatcher: Where the reply goes.
        tracker: The conversation.
        form_follows: A form runs next (a side question inside a form): with no answer, say
            nothing and let the form read the message or ask again.
    """
    question = str(tracker.latest_message.get("text") or "")
    reply = decide_reply(get_store(), question, subject=form_subject(tracker), in_form=form_follows)
    if isinstance(reply, AgencyPointer):
        dispatcher.utter_message(
            response=OTHER_AGENCY_RESPONSE, office=reply.office, contacts=reply.contact_line()
        )
        return []
    if reply.kind in ("answer", "suggest"):
        events: list[dict[str, Any]] = []
        if reply.article is not None:
            events = utter_answer(dispatcher, reply.article)
        else:
            utter_suggestions(dispatcher, reply.result)
        if form_follows:
            resume_form(dispatcher, str(tracker.active_loop.get("name")))
        return events
    await record_unanswered(tracker, reply.result)
    if form_follows:
        # Most likely an answer the form reads next ("不限定用途，哪里需要捐哪里").
        return []
    if reply.referral is not None:
        dispatcher.utter_message(
            response=REFERRAL_RESPONSE,
            topic=reply.referral.topic_name,
            office=reply.referral.office,
            contacts=reply.referral.contact_line(),
        )
        return []
    first = ASK_WHICH_BENEFIT if reply.vague_words else ASK_REPHRASE
    return handle_not_understood(dispatcher, tracker, first=first)


def knowledge_reply_kind(tracker: Tracker) -> str:
    """What the knowledge stage would make of the latest message, without saying it.

    "other_agency" (another department's business), "answer", "suggest" (a menu), "referral"
    (the office of the civil-affairs topic it names) or "not_understood".
    """
    question = str(tracker.latest_message.get("text") or "")
    reply = decide_reply(get_store(), question, subject=form_subject(tracker))
    return "other_agency" if isinstance(reply, AgencyPointer) else reply.kind


def chosen_article(tracker: Tracker) -> Article | None:
    """The article of a pressed suggestion button, if that is what the citizen did."""
    if tracker.get_intent_of_latest_message() != CHOOSE_ARTICLE_INTENT:
        return None
    article_id = next(tracker.get_latest_entity_values(ARTICLE_SLOT), None)
    return get_store().get_article(str(article_id)) if article_id else None


class ActionAnswerFromKnowledge(Action):
    """Answers the latest message (or a chosen suggestion) from the knowledge base."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_answer_from_knowledge"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Answer, suggest, or take the not-understood path."""
        form = tracker.active_loop.get("name")
        article = chosen_article(tracker)
        if article is not None:
            events = utter_answer(dispatcher, article)
            if form:
                resume_form(dispatcher, str(form))
            return events
        return await answer_or_fall_back(dispatcher, tracker, form_follows=bool(form))


class ActionRecordKnowledgeFeedback(Action):
    """Records 有帮助 / 没帮助 for the article answered last."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_record_knowledge_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Store the feedback and thank the citizen."""
        helpful = tracker.get_intent_of_latest_message() == "feedback_helpful"
        article_id = tracker.get_slot(ARTICLE_SLOT)
        if article_id:
            try:
                await get_knowledge_api().record_feedback(
                    conversation_id=tracker.sender_id, article_id=str(article_id), helpful=helpful
                )
            except BackofficeError:
                logger.warning("could not record knowledge feedback", exc_info=True)
        dispatcher.utter_message(
            response="utter_knowledge_thanks_helpful"
            if helpful
            else "utter_knowledge_thanks_not_helpful"
        )
        return []
