"""Editors' decisions: add a turn to the NLU data or a knowledge article, or mark it off-topic."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backoffice.analytics.catalogue import catalogue
from backoffice.analytics.tracker import tracker_engine
from backoffice.db import utcnow
from backoffice.review import knowledge_writer, nlu_writer
from backoffice.review.inbox import InboxItem, InboxTurn, build_inbox
from backoffice.review.models import DECISIONS, DISMISSED, KNOWLEDGE, NLU, ReviewDecision
from backoffice.review.settings import get_review_settings
from backoffice.review.texts import refusal, text
from core.settings import get_settings

MAX_EDITOR_NAME = 32


def inbox(
    session: Session, *, tracker: Engine | None = None, now: dt.datetime | None = None
) -> list[InboxItem]:
    """The current inbox (Rasa's tracker store of this process unless `tracker` is given)."""
    moment = now or utcnow()
    since = moment - dt.timedelta(days=get_review_settings().days)
    return build_inbox(
        session=session,
        tracker=tracker if tracker is not None else tracker_engine(),
        catalogue=catalogue(),
        since=since,
        now=moment,
    )


def _find(items: list[InboxItem], key: str) -> tuple[InboxItem, InboxTurn | None] | None:
    for item in items:
        if item.key == key:
            return item, None
        for turn in item.turns:
            if turn.key == key:
                return item, turn
    return None


def decide(
    session: Session,
    *,
    key: str,
    decision: str,
    target: str | None,
    editor: str,
    tracker: Engine | None = None,
    now: dt.datetime | None = None,
) -> ReviewDecision:
    """Carry out and record an editor's decision on a turn (or `dismissed` on a conversation).

    Raises:
        ApiError: 422 for a missing name, an unknown intent or article, or an empty turn; 404
            for a turn not in the inbox; 409 for words already in the training data.
    """
    editor = " ".join(editor.split())
    if not editor or len(editor) > MAX_EDITOR_NAME:
        raise refusal(422, "name_required")
    if decision not in DECISIONS:
        raise refusal(422, "bad_decision")
    moment = now or utcnow()
    found = _find(inbox(session, tracker=tracker, now=moment), key)
    if found is None or (found[1] is None) != (decision == DISMISSED):
        raise refusal(404, "unknown_turn")
    item, turn = found
    words = turn.text.strip() if turn is not None else ""
    stamp = f"{moment:%Y-%m-%d %H:%M} UTC"
    if decision == NLU:
        target = _add_example(words, target or "", editor, stamp)
    elif decision == KNOWLEDGE:
        target = _add_question(words, target or "", editor, stamp)
    else:
        target = None
    row = ReviewDecision(
        turn_key=key,
        conversation_id=item.conversation_id,
        decision=decision,
        target=target,
        text=words,
        editor=editor,
        decided_at=moment,
    )
    session.add(row)
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise refusal(404, "unknown_turn") from error
    return row


def _add_example(words: str, intent: str, editor: str, stamp: str) -> str:
    example = nlu_writer.example_text(words)
    if not example or example.startswith("/"):
        raise refusal(422, "empty_text")
    nlu_dir = get_review_settings().nlu_dir
    place = nlu_writer.intents(nlu_dir).get(intent)
    if place is None or intent in catalogue().names("fallback_intents"):
        raise refusal(422, "unknown_intent")
    if example in nlu_writer.known_examples(nlu_dir):
        raise refusal(409, "duplicate_example")
    comment = text("nlu_comment", text=example, editor=editor, at=stamp)
    try:
        nlu_writer.add_example(place, example, comment)
    except ValueError as error:
        raise refusal(422, "write_failed") from error
    return intent


def _add_question(words: str, article_id: str, editor: str, stamp: str) -> str:
    question = " ".join(words.split())
    if not question or question.startswith("/"):
        raise refusal(422, "empty_text")
    knowledge_dir = get_settings().knowledge_dir
    path = knowledge_writer.article_path(knowledge_dir, article_id)
    if path is None:
        raise refusal(422, "unknown_article")
    if question in knowledge_writer.known_questions(knowledge_dir):
        raise refusal(409, "duplicate_question")
    comment = text("knowledge_comment", editor=editor, at=stamp)
    try:
        knowledge_writer.add_question(path, question, comment)
    except ValueError as error:
        raise refusal(422, "write_failed") from error
    return article_id
