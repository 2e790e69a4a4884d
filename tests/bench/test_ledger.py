"""The ledger finds what a conversation stored the way the back office stored it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from backoffice.db import make_engine
from backoffice.records.prescreen.facts import HouseholdFacts
from backoffice.records.prescreen.policy import get_policy
from backoffice.records.prescreen.service import run_prescreen
from bench import ledger
from bench.citizen_records import Conversation
from testkit.databases import migrate


def test_a_prescreen_is_found_by_its_conversation_and_the_reference_told(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'backoffice.db'}"
    migrate(url)
    told = Conversation(script="prescreen", tags=["prescreen"], sender="a", variables={})
    silent = Conversation(script="prescreen", tags=["prescreen"], sender="b", variables={})
    never = Conversation(script="prescreen", tags=["prescreen"], sender="c", variables={})
    engine = make_engine(url)
    with Session(engine) as session:
        for conversation in (told, silent):
            run = run_prescreen(
                session=session,
                policy=get_policy(),
                facts=HouseholdFacts(),
                as_of=date(2026, 12, 7),
                conversation_id=conversation.conversation_id,
            )
            if conversation is told:
                told.references.append(run.check.reference)
        assert ledger.prescreen(session, told).verdict == "once"
        assert ledger.prescreen(session, silent).verdict == "unconfirmed"
        assert ledger.prescreen(session, never).verdict == "none"
    engine.dispose()
