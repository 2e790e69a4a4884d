"""HTTP routes of the handoff desk (`/api/handoff`).

Two kinds of callers:
- the action server (`/api/handoff/bot/...`): open a ticket, ask about office hours, record a
  call-back. These act only on the conversation named in the request, as the citizen's own chat
  does, and need no staff login;
- staff (everything else): every route depends on a valid staff session (`require_staff`),
  except `POST /login`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from backoffice.records.handoff import (
    callback_requests,
    mapping,
    message_store,
    staff_presence,
    tickets,
)
from backoffice.records.handoff.dependencies import DeskDep
from backoffice.records.handoff.schemas import (
    Availability,
    CallbackIn,
    CallbackOut,
    CallbackReceipt,
    DutyIn,
    HandBackIn,
    LoginIn,
    MessageOut,
    Overview,
    QueueItem,
    QueueSnapshot,
    StaffOut,
    TextIn,
    TicketOutcome,
    TicketRequest,
    TicketView,
)
from backoffice.records.handoff.state_changes import HandoffConflictError
from backoffice.records.handoff.texts import error_text
from backoffice.service_auth import ServiceOnly
from backoffice.staff.access import StaffDep, SupervisorDep, require_staff
from backoffice.staff.login import attempt_login, log_out
from core.errors import ApiError

router = APIRouter(prefix="/api/handoff", tags=["handoff"])
bot_router = APIRouter(prefix="/bot", dependencies=[ServiceOnly])
staff_router = APIRouter(dependencies=[Depends(require_staff)])

SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


# ---- the action server ----


@bot_router.get("/availability", response_model=Availability)
async def get_availability(desk: DeskDep) -> Availability:
    """Whether staff take conversations now, and when they do next."""
    return mapping.availability_out(await desk.availability())


@bot_router.post("/tickets", response_model=TicketOutcome)
async def post_ticket(body: TicketRequest, desk: DeskDep) -> TicketOutcome:
    """Open a ticket for a conversation (idempotent), or say staff are off duty."""
    return mapping.ticket_outcome_out(await desk.request_handoff(body))


@bot_router.post(
    "/callbacks", response_model=CallbackReceipt, responses={422: {"description": "bad phone"}}
)
async def post_callback(body: CallbackIn, desk: DeskDep) -> CallbackReceipt:
    """Record a call-back request (phone and preferred time)."""
    return mapping.callback_receipt_out(await desk.record_callback(body))


# ---- log-in ----


@router.post("/login", response_model=StaffOut, responses={401: {"description": "refused"}})
async def post_login(body: LoginIn, request: Request) -> StaffOut:
    """Log in with username and password; sets the session cookie (throttled: 429)."""
    result = await attempt_login(request, username=body.username, password=body.password)
    if result.retry_after:
        text = error_text("login_throttled").format(seconds=result.retry_after)
        headers = {"Retry-After": str(result.retry_after)}
        raise ApiError(429, "login_throttled", text, headers=headers)
    if result.staff is None:
        raise ApiError(401, "bad_login", error_text("bad_login"))
    return mapping.staff_out(result.staff)


# ---- staff ----


@staff_router.post("/logout", status_code=204)
async def post_logout(request: Request, staff: StaffDep) -> None:
    """Log out everywhere (every session cookie of this staff member stops working)."""
    await log_out(request, staff)


@staff_router.get("/me", response_model=StaffOut)
async def get_me(staff: StaffDep) -> StaffOut:
    """The logged-in staff member."""
    return mapping.staff_out(staff)


@staff_router.post("/duty", response_model=StaffOut)
async def post_duty(body: DutyIn, staff: StaffDep, desk: DeskDep) -> StaffOut:
    """Take conversations outside office hours for a few hours (or stop)."""
    staff.on_duty_until = await desk.set_duty(staff=staff, on=body.on)
    return mapping.staff_out(staff)


@staff_router.get("/queue", response_model=QueueSnapshot)
async def get_queue(desk: DeskDep) -> QueueSnapshot:
    """Open tickets: waiting ones urgent first, then oldest first; then claimed ones."""
    return await desk.run_db(lambda s: mapping.queue_snapshot_out(desk.queue_snapshot(s)))


@staff_router.get("/queue/events")
async def get_queue_events(desk: DeskDep) -> StreamingResponse:
    """Server-Sent Events: a queue snapshot (event `queue`) whenever it changes."""
    return StreamingResponse(
        desk.queue_stream(), media_type="text/event-stream", headers=SSE_HEADERS
    )


def _ticket_view(desk: DeskDep, ticket_id: int) -> TicketView | None:
    def work(session: Session) -> TicketView | None:
        ticket = tickets.get_ticket(session=session, ticket_id=ticket_id)
        if ticket is None:
            return None
        messages = message_store.ticket_messages(session=session, ticket_id=ticket_id)
        return mapping.ticket_view_out(desk.queue_entry(session, ticket), ticket, messages)

    with desk.session_factory() as session:
        return work(session)


@staff_router.get("/tickets/{ticket_id}", response_model=TicketView)
def get_ticket(ticket_id: int, desk: DeskDep) -> TicketView:
    """A ticket with its case summary (ID numbers masked) and full transcript."""
    view = _ticket_view(desk, ticket_id)
    if view is None:
        raise HandoffConflictError("ticket_not_found")
    return view


@staff_router.get("/tickets/{ticket_id}/events")
async def get_ticket_events(
    ticket_id: int,
    desk: DeskDep,
    after: int = 0,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """Server-Sent Events: the ticket's new messages (after `after` or `Last-Event-ID`)."""
    start = int(last_event_id) if last_event_id and last_event_id.isdigit() else after
    return StreamingResponse(
        desk.ticket_stream(ticket_id=ticket_id, last_event_id=start),
        media_type="text/event-stream",
        headers=SSE_HEADERS,
    )


@staff_router.post("/tickets/{ticket_id}/claim", response_model=QueueItem)
async def post_claim(ticket_id: int, staff: StaffDep, desk: DeskDep) -> QueueItem:
    """Take a waiting ticket (409 when someone else was faster)."""
    ticket = await desk.claim(ticket_id=ticket_id, staff=staff)
    return await desk.run_db(lambda s: mapping.queue_item_out(desk.queue_entry(s, ticket)))


@staff_router.post("/tickets/{ticket_id}/reply", response_model=MessageOut)
async def post_reply(ticket_id: int, body: TextIn, staff: StaffDep, desk: DeskDep) -> MessageOut:
    """Reply to the citizen in the same chat."""
    message = await desk.reply(ticket_id=ticket_id, staff=staff, text=body.text)
    return mapping.message_out(message)


@staff_router.post("/tickets/{ticket_id}/notes", response_model=MessageOut)
async def post_note(ticket_id: int, body: TextIn, staff: StaffDep, desk: DeskDep) -> MessageOut:
    """Add a private note to the ticket (never shown to the citizen)."""
    message = await desk.note(ticket_id=ticket_id, staff=staff, text=body.text)
    return mapping.message_out(message)


@staff_router.post("/tickets/{ticket_id}/close", response_model=QueueItem)
async def post_close(ticket_id: int, staff: StaffDep, desk: DeskDep) -> QueueItem:
    """End the handover (the citizen is told; the bot answers their next message)."""
    ticket = await desk.close(ticket_id=ticket_id, staff=staff)
    return await desk.run_db(lambda s: mapping.queue_item_out(desk.queue_entry(s, ticket)))


@staff_router.post("/tickets/{ticket_id}/hand-back", response_model=QueueItem)
async def post_hand_back(
    ticket_id: int, body: HandBackIn, staff: StaffDep, desk: DeskDep
) -> QueueItem:
    """Give the conversation back to the bot, which greets the citizen and resumes."""
    ticket = await desk.hand_back(
        ticket_id=ticket_id, staff=staff, resume_intent=body.resume_intent
    )
    return await desk.run_db(lambda s: mapping.queue_item_out(desk.queue_entry(s, ticket)))


@staff_router.get("/callbacks", response_model=list[CallbackOut])
async def get_callbacks(desk: DeskDep, include_done: bool = False) -> list[CallbackOut]:
    """Call-back requests (open ones; `include_done=true` for all)."""
    rows = await desk.run_db(
        lambda s: callback_requests.list_callbacks(session=s, include_done=include_done)
    )
    return [mapping.callback_out(row) for row in rows]


@staff_router.post("/callbacks/{callback_id}/done", response_model=CallbackOut)
async def post_callback_done(callback_id: int, staff: StaffDep, desk: DeskDep) -> CallbackOut:
    """Mark a call-back as made."""
    row = await desk.run_db(
        lambda s: callback_requests.mark_callback_done(
            session=s, callback_id=callback_id, staff=staff
        )
    )
    return mapping.callback_out(row)


def build_overview(desk: DeskDep, session: Session) -> Overview:
    """All open tickets, waiting times and today's handled counts per staff member."""
    local_midnight = desk.policy.hours.local(desk.clock()).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    since = local_midnight.astimezone(dt.UTC).replace(tzinfo=None)
    return mapping.overview_out(
        desk.queue_snapshot(session),
        staff=staff_presence.all_staff(session=session),
        handled_today=tickets.handled_counts(session=session, since=since),
        open_callbacks=len(callback_requests.list_callbacks(session=session)),
    )


@staff_router.get("/overview", response_model=Overview)
async def get_overview(supervisor: SupervisorDep, desk: DeskDep) -> Overview:
    """Supervisor view: every open ticket, waiting times, handled counts (403 for agents)."""
    return await desk.run_db(lambda s: build_overview(desk, s))


router.include_router(bot_router)
router.include_router(staff_router)
