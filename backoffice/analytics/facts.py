"""Everything a report is computed from, read for one period from the two stores.

The back office holds tickets (with their messages), call-back requests, knowledge feedback and
unanswered questions; Rasa's tracker store holds the conversations. Times are naive UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from backoffice.analytics.catalogue import Catalogue
from backoffice.analytics.sessions import ChatSession, Moment, TicketFact, attach, build_sessions
from backoffice.analytics.tracker import read_events
from backoffice.records.handoff.models import STAFF, CallbackRequest, HandoffMessage, HandoffTicket
from backoffice.records.knowledge.models import KnowledgeFeedback, UnansweredQuestion
from backoffice.staff.models import StaffUser
from zhtext.city_time import CITY_TIMEZONE


@dataclass(frozen=True)
class Period:
    """Days in Hangzhou, both ends included."""

    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        """The first moment, naive UTC."""
        return _utc_midnight(self.first)

    @property
    def end(self) -> dt.datetime:
        """The moment after the last day, naive UTC."""
        return _utc_midnight(self.last + dt.timedelta(days=1))

    def days(self) -> list[dt.date]:
        """Every day of the period."""
        count = (self.last - self.first).days + 1
        return [self.first + dt.timedelta(days=offset) for offset in range(count)]


def _utc_midnight(day: dt.date) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(0), tzinfo=CITY_TIMEZONE)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def city_day(moment: dt.datetime) -> dt.date:
    """The Hangzhou date of a naive-UTC moment."""
    return moment.replace(tzinfo=dt.UTC).astimezone(CITY_TIMEZONE).date()


def naive_utc(moment: dt.datetime) -> dt.datetime:
    """A stored moment as naive UTC (PostgreSQL gives aware values for timezone columns)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class StaffTicket:
    """A ticket as the staff figures see it."""

    id: int
    created_at: dt.datetime
    reason: str
    agent: str | None
    first_reply_at: dt.datetime | None
    ended_at: dt.datetime | None


@dataclass(frozen=True)
class CallbackFact:
    """A call-back request and when it was done."""

    created_at: dt.datetime
    preferred_date: dt.date | None
    half_day: str | None
    done_at: dt.datetime | None


@dataclass(frozen=True)
class Question:
    """An unanswered question."""

    text: str
    at: dt.datetime


@dataclass
class Facts:
    """The inputs of one report."""

    period: Period
    now: dt.datetime
    sessions: list[ChatSession] = field(default_factory=list)
    tickets: list[StaffTicket] = field(default_factory=list)
    callbacks: list[CallbackFact] = field(default_factory=list)
    feedback: list[Moment] = field(default_factory=list)
    unanswered: list[Question] = field(default_factory=list)


def load_facts(
    *,
    session: Session,
    tracker: Engine | None,
    period: Period,
    catalogue: Catalogue,
    now: dt.datetime,
) -> Facts:
    """Read the period's facts; sessions are those that started within the period."""
    gap = dt.timedelta(minutes=catalogue.setting("session_gap_minutes"))
    start, end = period.start, period.end
    events = read_events(tracker, start=start - gap, end=end + gap)
    ticket_rows = session.scalars(
        select(HandoffTicket).where(
            HandoffTicket.created_at >= start - gap, HandoffTicket.created_at < end + gap
        )
    ).all()
    callback_rows = session.scalars(
        select(CallbackRequest).where(
            CallbackRequest.created_at >= start - gap, CallbackRequest.created_at < end + gap
        )
    ).all()
    aware_start, aware_end = start.replace(tzinfo=dt.UTC), end.replace(tzinfo=dt.UTC)
    feedback_rows = session.scalars(
        select(KnowledgeFeedback).where(
            KnowledgeFeedback.created_at >= aware_start, KnowledgeFeedback.created_at < aware_end
        )
    ).all()
    feedback = [
        Moment(row.conversation_id, naive_utc(row.created_at), row.helpful, row.article_id)
        for row in feedback_rows
    ]
    sessions = attach(
        build_sessions(events, catalogue),
        catalogue,
        tickets=[
            TicketFact(row.id, row.conversation_id, row.created_at, row.reason, row.service)
            for row in ticket_rows
        ],
        callbacks=[Moment(row.conversation_id, row.created_at) for row in callback_rows],
        feedback=feedback,
    )
    in_period = [row for row in ticket_rows if start <= row.created_at < end]
    questions = session.scalars(
        select(UnansweredQuestion).where(
            UnansweredQuestion.created_at >= aware_start, UnansweredQuestion.created_at < aware_end
        )
    ).all()
    return Facts(
        period=period,
        now=now,
        sessions=[item for item in sessions if start <= item.start < end],
        tickets=_staff_tickets(session, in_period),
        callbacks=[
            CallbackFact(row.created_at, row.preferred_date, row.preferred_half_day, row.done_at)
            for row in callback_rows
            if start <= row.created_at < end
        ],
        feedback=feedback,
        unanswered=[Question(row.question, naive_utc(row.created_at)) for row in questions],
    )


def _staff_tickets(session: Session, rows: list[HandoffTicket]) -> list[StaffTicket]:
    ids = [row.id for row in rows]
    first_replies: dict[int, dt.datetime] = {}
    names: dict[int, str] = {}
    if ids:
        replies = select(HandoffMessage.ticket_id, func.min(HandoffMessage.created_at)).where(
            HandoffMessage.ticket_id.in_(ids), HandoffMessage.kind == STAFF
        )
        first_replies = {
            int(ticket): moment
            for ticket, moment in session.execute(replies.group_by(HandoffMessage.ticket_id))
        }
        names = {
            staff.id: f"{staff.display_name}（{staff.username}）"
            for staff in session.scalars(select(StaffUser))
        }
    return [
        StaffTicket(
            id=row.id,
            created_at=row.created_at,
            reason=row.reason,
            agent=names.get(row.claimed_by_id) if row.claimed_by_id else None,
            first_reply_at=first_replies.get(row.id),
            ended_at=row.ended_at,
        )
        for row in rows
    ]
