"""Conversations rebuilt from Rasa's events, with the tickets, call-backs and feedback.

A conversation ("session") is one conversation id's run of events with no silence longer than
`session_gap_minutes` (catalogue.yml). Tickets, call-back requests and feedback presses are
attached to the session of the same conversation id that was going on at their moment; a ticket
or call-back without one (crisis words stop a message before Rasa sees it) becomes a session of
its own, so no handoff goes uncounted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby

from backoffice.analytics.catalogue import Catalogue
from backoffice.analytics.tracker import TrackerEvent
from core.chat import split_conversation_id


@dataclass
class Turn:
    """One message of the citizen, and what the assistant made of it."""

    at: dt.datetime
    text: str
    intent: str | None
    button: bool
    fallback: bool = False
    handoff: bool = False
    article: str | None = None


@dataclass(frozen=True)
class TicketFact:
    """What analytics needs of a handoff ticket."""

    id: int
    conversation_id: str
    created_at: dt.datetime
    reason: str
    service: str | None


@dataclass(frozen=True)
class Moment:
    """Something of a conversation at a moment: a call-back request, a feedback press."""

    conversation_id: str
    at: dt.datetime
    helpful: bool = True
    article: str | None = None


@dataclass
class ChatSession:
    """One conversation of one citizen."""

    conversation_id: str
    start: dt.datetime
    end: dt.datetime
    turns: list[Turn] = field(default_factory=list)
    started: list[str] = field(default_factory=list)
    completed: set[str] = field(default_factory=set)
    knowledge_answers: int = 0
    open_form: str | None = None
    tickets: list[TicketFact] = field(default_factory=list)
    callbacks: list[Moment] = field(default_factory=list)
    feedback: list[Moment] = field(default_factory=list)

    @property
    def channel(self) -> str:
        """The channel, from the conversation id ("web-…" → web)."""
        return split_conversation_id(self.conversation_id)[0] or "other"

    @property
    def contained(self) -> bool:
        """Ended without a handoff ticket and without a call-back request."""
        return not self.tickets and not self.callbacks

    def abandoned(self, catalogue: Catalogue, now: dt.datetime) -> bool:
        """Over (silent for the session gap) while still inside a form, and not handed over."""
        gap = dt.timedelta(minutes=catalogue.setting("session_gap_minutes"))
        return self.open_form is not None and self.contained and self.end + gap <= now

    @property
    def fallback_turns(self) -> int:
        """Typed messages the assistant fell back on."""
        return sum(1 for turn in self.turns if turn.fallback and not turn.button)

    @property
    def typed_turns(self) -> int:
        """Messages the citizen typed (not button presses)."""
        return sum(1 for turn in self.turns if not turn.button)

    def service(self, catalogue: Catalogue) -> str:
        """The service this conversation counts for.

        The first service started, else the ticket's, else knowledge when an article answered,
        else other.
        """
        if self.started:
            return self.started[0]
        for ticket in self.tickets:
            if ticket.service in catalogue.services:
                return ticket.service
        return "knowledge" if self.knowledge_answers else "other"


def build_sessions(events: Iterable[TrackerEvent], catalogue: Catalogue) -> list[ChatSession]:
    """Sessions of the events (any order), oldest first within each conversation."""
    gap = dt.timedelta(minutes=catalogue.setting("session_gap_minutes"))
    ordered = sorted(events, key=lambda event: (event.sender_id, event.timestamp, event.id))
    sessions: list[ChatSession] = []
    for sender, group in groupby(ordered, key=lambda event: event.sender_id):
        current: ChatSession | None = None
        for event in group:
            at = event.at
            if current is None or at - current.end > gap:
                current = ChatSession(conversation_id=sender, start=at, end=at)
                sessions.append(current)
            current.end = at
            _apply(current, event, catalogue)
    return sessions


def _apply(session: ChatSession, event: TrackerEvent, catalogue: Catalogue) -> None:
    data = event.data
    last = session.turns[-1] if session.turns else None
    if event.type_name == "user":
        text = str(data.get("text") or "")
        parsed = (data.get("parse_data") or {}).get("intent") or {}
        intent = event.intent_name or parsed.get("name")
        turn = Turn(at=event.at, text=text, intent=intent, button=text.startswith("/"))
        turn.fallback = intent in catalogue.names("fallback_intents")
        session.turns.append(turn)
    elif event.type_name == "action":
        name = event.action_name or str(data.get("name") or "")
        if last is not None and name in catalogue.names("fallback_actions"):
            last.fallback = True
        if last is not None and name in catalogue.names("handoff_actions"):
            last.handoff = True
    elif event.type_name == "active_loop":
        form = data.get("name")
        session.open_form = str(form) if form else None
        stem = catalogue.service_of_form(str(form)) if form else None
        if stem and form in catalogue.services[stem].start_forms and stem not in session.started:
            session.started.append(stem)
    elif event.type_name == "slot":
        _apply_slot(session, str(data.get("name") or ""), data.get("value"), catalogue)
    elif event.type_name == "bot":
        response = (data.get("metadata") or {}).get("utter_action")
        if response in catalogue.names("knowledge_responses"):
            session.knowledge_answers += 1
    elif event.type_name in ("restart", "session_started"):
        session.open_form = None


def _apply_slot(session: ChatSession, name: str, value: object, catalogue: Catalogue) -> None:
    if name == catalogue.raw["knowledge_article_slot"] and value and session.turns:
        session.turns[-1].article = str(value)
        return
    if not value:
        return
    for service in catalogue.services.values():
        if name in service.completion_slots:
            session.completed.add(service.stem)


def attach(
    sessions: list[ChatSession],
    catalogue: Catalogue,
    *,
    tickets: Sequence[TicketFact] = (),
    callbacks: Sequence[Moment] = (),
    feedback: Sequence[Moment] = (),
) -> list[ChatSession]:
    """Attach tickets, call-backs and feedback to their sessions; new sessions for orphans.

    Returns every session (the given ones and the new ones), ordered by start.
    """
    gap = dt.timedelta(minutes=catalogue.setting("session_gap_minutes"))
    by_conversation: dict[str, list[ChatSession]] = {}
    for session in sessions:
        by_conversation.setdefault(session.conversation_id, []).append(session)

    def owner(conversation_id: str, at: dt.datetime, create: bool) -> ChatSession | None:
        candidates = by_conversation.setdefault(conversation_id, [])
        for session in candidates:
            if session.start - gap <= at <= session.end + gap:
                session.end = max(session.end, at)
                return session
        if not create:
            return None
        orphan = ChatSession(conversation_id=conversation_id, start=at, end=at)
        candidates.append(orphan)
        return orphan

    for ticket in tickets:
        found = owner(ticket.conversation_id, ticket.created_at, True)
        if found is not None:
            found.tickets.append(ticket)
    for callback in callbacks:
        found = owner(callback.conversation_id, callback.at, True)
        if found is not None:
            found.callbacks.append(callback)
    for press in feedback:
        found = owner(press.conversation_id, press.at, False)
        if found is not None:
            found.feedback.append(press)
    every = [session for group in by_conversation.values() for session in group]
    return sorted(every, key=lambda session: (session.start, session.conversation_id))
