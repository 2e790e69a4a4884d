"""Every figure of the analytics page, computed from `Facts` (no database here).

Each table is a list of rows keyed by the column keys of catalogue.yml; rates are fractions
(0.25 = 25 %), durations whole seconds. `None` means "no data" (a rate of nothing).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from backoffice.analytics.catalogue import Catalogue
from backoffice.analytics.facts import CallbackFact, Facts, StaffTicket, city_day
from backoffice.analytics.sessions import ChatSession
from backoffice.analytics.unanswered import group_questions
from zhtext.city_time import CITY_TIMEZONE

Row = dict[str, Any]


@dataclass
class Table:
    """One table of the page (and one CSV file)."""

    name: str
    title: str
    columns: dict[str, str]
    rows: list[Row] = field(default_factory=list)


def rate(part: int, whole: int) -> float | None:
    """The share part / whole, rounded to 4 places; None for an empty whole."""
    return round(part / whole, 4) if whole else None


def median_seconds(durations: list[dt.timedelta]) -> int | None:
    """The median of durations in whole seconds; None without any."""
    if not durations:
        return None
    return round(statistics.median(d.total_seconds() for d in durations))


@dataclass(frozen=True)
class Counts:
    """The conversation counts of a group of sessions."""

    conversations: int
    contained: int
    handoffs: int
    callbacks: int
    abandoned: int
    starts: int
    completions: int
    typed_turns: int
    fallback_turns: int
    knowledge_answers: int


def count(sessions: list[ChatSession], catalogue: Catalogue, now: dt.datetime) -> Counts:
    """The counts of `sessions`."""
    return Counts(
        conversations=len(sessions),
        contained=sum(1 for s in sessions if s.contained),
        handoffs=sum(1 for s in sessions if s.tickets),
        callbacks=sum(1 for s in sessions if s.callbacks),
        abandoned=sum(1 for s in sessions if s.abandoned(catalogue, now)),
        starts=sum(len(s.started) for s in sessions),
        completions=sum(len(s.completed) for s in sessions),
        typed_turns=sum(s.typed_turns for s in sessions),
        fallback_turns=sum(s.fallback_turns for s in sessions),
        knowledge_answers=sum(s.knowledge_answers for s in sessions),
    )


def _figure(catalogue: Catalogue, key: str, value: object) -> Row:
    label, definition = catalogue.metric(key)
    return {"key": key, "metric": label, "value": value, "definition": definition}


def _table(catalogue: Catalogue, name: str, rows: list[Row]) -> Table:
    title, columns = catalogue.table(name)
    return Table(name=name, title=title, columns=columns, rows=rows)


def overview(facts: Facts, catalogue: Catalogue) -> Table:
    """The headline figures of the period."""
    c = count(facts.sessions, catalogue, facts.now)
    helpful = sum(1 for press in facts.feedback if press.helpful)
    not_helpful = len(facts.feedback) - helpful
    values: list[tuple[str, object]] = [
        ("conversations", c.conversations),
        ("contained", c.contained),
        ("contained_rate", rate(c.contained, c.conversations)),
        ("handoffs", c.handoffs),
        ("handoff_rate", rate(c.handoffs, c.conversations)),
        ("callbacks", c.callbacks),
        ("abandoned", c.abandoned),
        ("abandonment_rate", rate(c.abandoned, c.conversations)),
        ("starts", c.starts),
        ("completions", c.completions),
        ("completion_rate", rate(c.completions, c.starts)),
        ("typed_turns", c.typed_turns),
        ("fallback_turns", c.fallback_turns),
        ("fallback_rate", rate(c.fallback_turns, c.typed_turns)),
        ("knowledge_answers", c.knowledge_answers),
        ("helpful", helpful),
        ("not_helpful", not_helpful),
        ("helpful_rate", rate(helpful, helpful + not_helpful)),
    ]
    return _table(catalogue, "overview", [_figure(catalogue, k, v) for k, v in values])


def by_service(facts: Facts, catalogue: Catalogue) -> Table:
    """Per service: conversations counted for it, and its own starts, completions, abandonments."""
    rows = []
    for stem in [*catalogue.services, "knowledge", "other"]:
        own = [s for s in facts.sessions if s.service(catalogue) == stem]
        starts = sum(1 for s in facts.sessions if stem in s.started)
        completions = sum(1 for s in facts.sessions if stem in s.completed)
        abandoned = sum(
            1
            for s in facts.sessions
            if s.abandoned(catalogue, facts.now)
            and catalogue.service_of_form(s.open_form or "") == stem
        )
        rows.append(
            {
                "key": stem,
                "service": catalogue.service_label(stem),
                "conversations": len(own),
                "starts": starts,
                "completions": completions,
                "completion_rate": rate(completions, starts),
                "abandoned": abandoned,
                "handoffs": sum(1 for s in own if s.tickets),
                "contained": sum(1 for s in own if s.contained),
            }
        )
    return _table(catalogue, "services", rows)


def by_channel(facts: Facts, catalogue: Catalogue) -> Table:
    """Per channel (web, WeChat, Telegram, REST): the conversation rates and feedback."""
    channels = sorted({s.channel for s in facts.sessions} | {"web", "wechat", "telegram"})
    rows = []
    for channel in channels:
        own = [s for s in facts.sessions if s.channel == channel]
        c = count(own, catalogue, facts.now)
        presses = [p for p in facts.feedback if p.conversation_id.split("-", 1)[0] == channel]
        helpful = sum(1 for p in presses if p.helpful)
        rows.append(
            {
                "key": channel,
                "channel": catalogue.channel_label(channel),
                "conversations": c.conversations,
                "contained_rate": rate(c.contained, c.conversations),
                "handoff_rate": rate(c.handoffs, c.conversations),
                "abandonment_rate": rate(c.abandoned, c.conversations),
                "fallback_rate": rate(c.fallback_turns, c.typed_turns),
                "knowledge_answers": c.knowledge_answers,
                "helpful": helpful,
                "not_helpful": len(presses) - helpful,
            }
        )
    return _table(catalogue, "channels", rows)


def daily(facts: Facts, catalogue: Catalogue) -> Table:
    """One row per day of the period (Hangzhou dates)."""
    rows = []
    for day in facts.period.days():
        own = [s for s in facts.sessions if city_day(s.start) == day]
        rows.append(
            {
                "day": day.isoformat(),
                "conversations": len(own),
                "contained": sum(1 for s in own if s.contained),
                "handoffs": sum(1 for s in own if s.tickets),
                "completions": sum(len(s.completed) for s in own),
            }
        )
    return _table(catalogue, "daily", rows)


def handoff_reasons(facts: Facts, catalogue: Catalogue) -> Table:
    """Tickets of the period by reason, most frequent first."""
    reasons = Counter(ticket.reason for ticket in facts.tickets)
    rows = [
        {"key": reason, "reason": catalogue.reason_label(reason), "tickets": number}
        for reason, number in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    ]
    return _table(catalogue, "handoff_reasons", rows)


def on_time(callback: CallbackFact, catalogue: Catalogue) -> bool:
    """Whether a call-back was done before its deadline (catalogue.yml, settings)."""
    if callback.done_at is None:
        return False
    if callback.preferred_date is None:
        hours = catalogue.setting("callback_default_hours")
        return callback.done_at <= callback.created_at + dt.timedelta(hours=hours)
    hour = catalogue.setting(
        "callback_am_deadline_hour" if callback.half_day == "am" else "callback_pm_deadline_hour"
    )
    local = dt.datetime.combine(callback.preferred_date, dt.time(int(hour)), tzinfo=CITY_TIMEZONE)
    return callback.done_at <= local.astimezone(dt.UTC).replace(tzinfo=None)


def staff(facts: Facts, catalogue: Catalogue) -> Table:
    """The staff figures: tickets, reply and close times, load per agent, call-backs on time."""
    tickets = facts.tickets
    replies = [t.first_reply_at - t.created_at for t in tickets if t.first_reply_at]
    closes = [t.ended_at - t.created_at for t in tickets if t.ended_at]
    claimed = [t for t in tickets if t.agent]
    agents = {t.agent for t in claimed}
    done = [c for c in facts.callbacks if c.done_at]
    timely = sum(1 for c in facts.callbacks if on_time(c, catalogue))
    values: list[tuple[str, object]] = [
        ("tickets", len(tickets)),
        ("answered_tickets", len(replies)),
        ("first_reply_median", median_seconds(replies)),
        ("close_median", median_seconds(closes)),
        ("tickets_per_agent", round(len(claimed) / len(agents), 2) if agents else None),
        ("callback_requests", len(facts.callbacks)),
        ("callbacks_done", len(done)),
        ("callbacks_on_time", timely),
        ("callbacks_on_time_rate", rate(timely, len(facts.callbacks))),
    ]
    return _table(catalogue, "staff", [_figure(catalogue, k, v) for k, v in values])


def agents(facts: Facts, catalogue: Catalogue) -> Table:
    """Per staff member who claimed tickets: how many, reply and close medians."""
    mine: dict[str, list[StaffTicket]] = {}
    for ticket in facts.tickets:
        if ticket.agent:
            mine.setdefault(ticket.agent, []).append(ticket)
    rows = [
        {
            "agent": agent,
            "tickets": len(own),
            "first_reply_median": median_seconds(
                [t.first_reply_at - t.created_at for t in own if t.first_reply_at]
            ),
            "close_median": median_seconds([t.ended_at - t.created_at for t in own if t.ended_at]),
        }
        for agent, own in sorted(mine.items(), key=lambda item: (-len(item[1]), item[0]))
    ]
    return _table(catalogue, "agents", rows)


def articles(facts: Facts, catalogue: Catalogue) -> Table:
    """Feedback per knowledge article, most "not helpful" first."""
    helpful: Counter[str] = Counter()
    not_helpful: Counter[str] = Counter()
    for press in facts.feedback:
        (helpful if press.helpful else not_helpful)[press.article or ""] += 1
    names = sorted(set(helpful) | set(not_helpful), key=lambda a: (-not_helpful[a], a))
    rows = [{"article": a, "helpful": helpful[a], "not_helpful": not_helpful[a]} for a in names]
    return _table(catalogue, "articles", rows)


def unanswered(facts: Facts, catalogue: Catalogue) -> Table:
    """The most asked unanswered questions, near-duplicates grouped."""
    groups = group_questions(
        [(q.text, q.at) for q in facts.unanswered],
        threshold=catalogue.setting("unanswered_similarity"),
    )
    rows = [
        {
            "question": group.question,
            "count": group.count,
            "variants": "；".join(group.variants),
            "last_asked": group.last_asked.isoformat(timespec="minutes") + "Z"
            if group.last_asked
            else None,
        }
        for group in groups
    ]
    return _table(catalogue, "unanswered", rows)


BUILDERS = {
    "overview": overview,
    "services": by_service,
    "channels": by_channel,
    "daily": daily,
    "handoff_reasons": handoff_reasons,
    "staff": staff,
    "agents": agents,
    "articles": articles,
    "unanswered": unanswered,
}


def compute(facts: Facts, catalogue: Catalogue) -> dict[str, Table]:
    """Every table of the page."""
    return {name: build(facts, catalogue) for name, build in BUILDERS.items()}
