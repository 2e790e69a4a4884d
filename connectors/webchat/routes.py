"""HTTP routes of the web chat: the JSON chat endpoint and its health check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from connectors.rasa_client import AssistantUnavailableError
from connectors.router import ConversationRouter
from core.chat import BotMessage, conversation_id
from core.messages import hotline, message

router = APIRouter(prefix="/api/chat", tags=["webchat"])

CHANNEL = "web"
# The gateway truncates long input with a notice; far larger bodies are refused outright.
MAX_RAW_MESSAGE_CHARS = 5000


SENDER_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"


class ChatRequest(BaseModel):
    """One message from the web chat page."""

    sender: str = Field(min_length=8, max_length=64, pattern=SENDER_PATTERN)
    message: str = Field(max_length=MAX_RAW_MESSAGE_CHARS)


class ChatResponse(BaseModel):
    """The bot's replies to one message."""

    messages: list[BotMessage]
    notices: list[str]
    # A quiet status under the citizen's message ("已送达人工客服 小王"), not a bot message.
    receipt: str | None = None


class HealthResponse(BaseModel):
    """Whether the assistant can answer right now."""

    available: bool
    hotline: str


async def get_router(request: Request) -> ConversationRouter:
    """The conversation router built at start-up (async: FastAPI runs a plain `def` in a thread)."""
    conversation_router: ConversationRouter = request.app.state.conversation_router
    return conversation_router


RouterDep = Annotated[ConversationRouter, Depends(get_router)]


def unavailable_response() -> JSONResponse:
    """503 with the Chinese explanation and the hotline."""
    return JSONResponse(
        status_code=503,
        content={
            "error": {
                "code": "service_unavailable",
                "message": message("service_unavailable"),
                "hotline": hotline(),
            }
        },
    )


@router.post("", response_model=ChatResponse, responses={503: {"description": "assistant down"}})
async def post_message(
    body: ChatRequest, conversation_router: RouterDep
) -> ChatResponse | JSONResponse:
    """Send a citizen's message to the assistant and return its replies."""
    try:
        reply = await conversation_router.handle(
            channel=CHANNEL, sender=body.sender, text=body.message
        )
    except AssistantUnavailableError:
        return unavailable_response()
    return ChatResponse(messages=reply.messages, notices=reply.notices, receipt=reply.receipt)


@router.get("/health", response_model=HealthResponse)
async def get_health(request: Request) -> HealthResponse:
    """Tell the page whether the assistant (Rasa and the action server) is up."""
    rasa = request.app.state.rasa_client
    available = await rasa.rasa_available() and await rasa.action_server_available()
    return HealthResponse(available=available, hotline=hotline())


@router.get("/{sender}/events", response_model=None, responses={404: {"description": "no desk"}})
async def get_events(
    request: Request,
    sender: Annotated[str, Path(pattern=SENDER_PATTERN)],
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse | JSONResponse:
    """Server-Sent Events for the page: staff replies, desk notices, the bot after a hand-back."""
    desk = getattr(request.app.state, "handoff_desk", None)
    if desk is None:
        return JSONResponse(status_code=404, content={"error": {"code": "not_found"}})
    start = int(last_event_id) if last_event_id and last_event_id.isdigit() else None
    return StreamingResponse(
        desk.citizen_stream(conversation_id=conversation_id(CHANNEL, sender), last_event_id=start),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
