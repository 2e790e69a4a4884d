"""Shared pieces of the pre-screen action tests: the domain, a fake back office, answers."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeTransport
from actions.clients.prescreen import PrescreenApi
from actions.prescreen import slots
from core.settings import PROJECT_ROOT

DOMAIN: DomainDict = yaml.safe_load(
    (PROJECT_ROOT / "bot" / "domain" / "prescreen.yml").read_text(encoding="utf-8")
)

TODAY = date(2026, 11, 28)


def use_api(monkeypatch: pytest.MonkeyPatch, module: Any, handler: Any) -> None:
    transport = BackofficeTransport(
        base_url="http://backoffice", timeout=5, transport=httpx.MockTransport(handler)
    )
    monkeypatch.setattr(module, "get_prescreen_api", lambda: PrescreenApi(transport))


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["response"] for m in dispatcher.messages]


FILLED = {
    slots.DISTRICT: "xihu",
    slots.HOUSEHOLD_SIZE: {"status": "given", "value": 2},
    slots.INCOME: {"status": "given", "value": "2300", "approximate": False},
    slots.SAVINGS: {"status": "given", "value": "10000"},
    slots.ASSETS: {"status": "given", "value": {"vehicle": False, "extra_housing": False}},
    slots.CIRCUMSTANCES: {"status": "given", "value": []},
}
