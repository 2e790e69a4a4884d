"""The inbox: recent conversations with a fallback, a handoff, a "not helpful" or an abandoned form.

Built from the same sessions as the analytics (Rasa's events with the tickets, call-backs and
feedback attached). A conversation stays while one of its flagged turns has no decision and it
was not dismissed as a whole; newest first. Citizens' words are masked (ID and mobile numbers,
the scrubber's own patterns from zhtext.personal_forms).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from backoffice.analytics.catalogue import Catalogue
from backoffice.analytics.facts import naive_utc
from backoffice.analytics.sessions import (
    ChatSession,
    Moment,
    TicketFact,
    Turn,
    attach,
    build_sessions,
)
from backoffice.analytics.tracker import epoch, read_events
from backoffice.records.handoff.models import CallbackRequest, HandoffTicket
from backoffice.records.knowledge.models import KnowledgeFeedback
from backoffice.review.models import ReviewDecision
from bot_plugins.scrubbing import mask_id_like

FALLBACK, HANDOFF, NOT_HELPFUL, ABANDONED = "fallback", "handoff", "not_helpful", "abandoned"
# A conversation's key: its first moment's key and this (its first turn has that moment too).
WHOLE = "#all"


def turn_key(conversation_id: str, moment: dt.datetime) -> str:
    """The key of a turn: the conversation id and the turn's moment."""
    return f"{conversation_id}@{epoch(moment):.3f}"


@dataclass
class InboxTurn:
    """A citizen's message as the inbox shows it."""

    key: str
    at: dt.datetime
    text: str
    intent: str | None
    button: bool
    article: str | None
    flags: list[str] = field(default_factory=list)
    decision: ReviewDecision | None = None


@dataclass
class InboxItem:
    """One conversation to review."""

    key: str
    conversation_id: str
    channel: str
    start: dt.datetime
    end: dt.datetime
    flags: list[str]
    turns: list[InboxTurn]


def _last_typed(turns: list[Turn], before: dt.datetime) -> Turn | None:
    typed = [turn for turn in turns if not turn.button and turn.at <= before]
    return typed[-1] if typed else None


def flagged_turns(
    session: ChatSession, catalogue: Catalogue, now: dt.datetime
) -> dict[int, set[str]]:
    """Index of each flagged turn → why (fallback, handoff, not_helpful, abandoned)."""
    flags: dict[int, set[str]] = {}

    def flag(turn: Turn | None, why: str) -> None:
        if turn is not None:
            flags.setdefault(session.turns.index(turn), set()).add(why)

    for turn in session.turns:
        if turn.fallback and not turn.button:
            flag(turn, FALLBACK)
    for ticket in session.tickets:
        handoff_turn = next((t for t in session.turns if t.handoff and not t.button), None)
        flag(handoff_turn or _last_typed(session.turns, ticket.created_at), HANDOFF)
    for press in session.feedback:
        if not press.helpful:
            answered = [t for t in session.turns if t.article and not t.button and t.at <= press.at]
            flag(answered[-1] if answered else _last_typed(session.turns, press.at), NOT_HELPFUL)
    if session.abandoned(catalogue, now):
        flag(_last_typed(session.turns, session.end), ABANDONED)
    return flags


def load_sessions(
    *,
    session: Session,
    tracker: Engine | None,
    catalogue: Catalogue,
    since: dt.datetime,
    now: dt.datetime,
) -> list[ChatSession]:
    """The conversations since `since`, with their tickets, call-backs and feedback."""
    events = read_events(tracker, start=since, end=now + dt.timedelta(minutes=1))
    tickets = session.scalars(select(HandoffTicket).where(HandoffTicket.created_at >= since))
    callbacks = session.scalars(select(CallbackRequest).where(CallbackRequest.created_at >= since))
    feedback = session.scalars(
        select(KnowledgeFeedback).where(
            KnowledgeFeedback.created_at >= since.replace(tzinfo=dt.UTC)
        )
    )
    return attach(
        build_sessions(events, catalogue),
        catalogue,
        tickets=[
            TicketFact(t.id, t.conversation_id, t.created_at, t.reason, t.service) for t in tickets
        ],
        callbacks=[Moment(c.conversation_id, c.created_at) for c in callbacks],
        feedback=[
            Moment(f.conversation_id, naive_utc(f.created_at), f.helpful, f.article_id)
            for f in feedback
        ],
    )


def build_inbox(
    *,
    session: Session,
    tracker: Engine | None,
    catalogue: Catalogue,
    since: dt.datetime,
    now: dt.datetime,
) -> list[InboxItem]:
    """The conversations editors still have to look at, newest first."""
    decisions = {row.turn_key: row for row in session.scalars(select(ReviewDecision))}
    items: list[InboxItem] = []
    for chat in load_sessions(
        session=session, tracker=tracker, catalogue=catalogue, since=since, now=now
    ):
        flags = flagged_turns(chat, catalogue, now)
        key = turn_key(chat.conversation_id, chat.start) + WHOLE
        if not flags or key in decisions:
            continue
        turns = [
            InboxTurn(
                key=turn_key(chat.conversation_id, turn.at),
                at=turn.at,
                text=mask_id_like(turn.text),
                intent=turn.intent,
                button=turn.button,
                article=turn.article,
                flags=sorted(flags.get(index, set())),
            )
            for index, turn in enumerate(chat.turns)
        ]
        for turn in turns:
            turn.decision = decisions.get(turn.key)
        if all(turn.decision is not None for turn in turns if turn.flags):
            continue
        every_flag = sorted({why for why_set in flags.values() for why in why_set})
        items.append(
            InboxItem(
                key, chat.conversation_id, chat.channel, chat.start, chat.end, every_flag, turns
            )
        )
    return sorted(items, key=lambda item: item.end, reverse=True)
