"""`/api/review/…`: the inbox and the decisions as JSON (editor login or the editor token)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from backoffice.db import DbSession
from backoffice.records.knowledge.editor_auth import require_editor
from backoffice.review.inbox import InboxItem
from backoffice.review.service import MAX_EDITOR_NAME, decide, inbox

router = APIRouter(prefix="/api/review", tags=["review"], dependencies=[Depends(require_editor)])


class DecisionIn(BaseModel):
    """An editor's decision: `nlu`, `knowledge`, `off_topic` on a turn, `dismissed` on all."""

    key: str = Field(min_length=3, max_length=200)
    decision: str = Field(max_length=16)
    target: str | None = Field(default=None, max_length=128)
    editor: str = Field(min_length=1, max_length=MAX_EDITOR_NAME)


def item_json(item: InboxItem) -> dict[str, Any]:
    """An inbox item as JSON (citizens' words masked)."""
    return {
        "key": item.key,
        "conversation_id": item.conversation_id,
        "channel": item.channel,
        "start": item.start.isoformat() + "Z",
        "end": item.end.isoformat() + "Z",
        "flags": item.flags,
        "turns": [
            {
                "key": turn.key,
                "at": turn.at.isoformat() + "Z",
                "text": turn.text,
                "intent": turn.intent,
                "button": turn.button,
                "article": turn.article,
                "flags": turn.flags,
                "decision": turn.decision.decision if turn.decision else None,
            }
            for turn in item.turns
        ],
    }


@router.get("/inbox")
def get_inbox(session: DbSession) -> dict[str, Any]:
    """The conversations to review, newest first."""
    return {"items": [item_json(item) for item in inbox(session)]}


@router.post("/decisions", status_code=201)
def post_decision(body: DecisionIn, session: DbSession) -> dict[str, Any]:
    """Carry out a decision; the YAML file is written before this answers."""
    row = decide(
        session, key=body.key, decision=body.decision, target=body.target, editor=body.editor
    )
    return {"key": row.turn_key, "decision": row.decision, "target": row.target}
