from __future__ import annotations

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import service_area
from actions.clients.backoffice import BackofficeTransport
from actions.clients.districts import DistrictsApi
from testkit.trackers import EMPTY_DOMAIN, make_tracker

DISTRICTS = [
    {
        "code": "xihu",
        "name": "西湖区",
        "short_name": "西湖",
        "kind": "区",
        "assistance_tier": "urban",
    },
    {
        "code": "chunan",
        "name": "淳安县",
        "short_name": "淳安",
        "kind": "县",
        "assistance_tier": "t3",
    },
]


def use_transport(monkeypatch: pytest.MonkeyPatch, handler) -> None:
    transport = BackofficeTransport(
        base_url="http://backoffice", timeout=5, transport=httpx.MockTransport(handler)
    )
    monkeypatch.setattr(service_area, "get_districts_api", lambda: DistrictsApi(transport))


async def test_lists_districts_from_the_back_office(monkeypatch: pytest.MonkeyPatch) -> None:
    use_transport(monkeypatch, lambda request: httpx.Response(200, json=DISTRICTS))
    dispatcher = CollectingDispatcher()
    await service_area.ActionListServiceArea().run(dispatcher, make_tracker(), EMPTY_DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_service_area"
    assert message["count"] == 2
    assert message["districts"] == "西湖区、淳安县"


async def test_back_office_down_gives_an_apology(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    use_transport(monkeypatch, refuse)
    dispatcher = CollectingDispatcher()
    await service_area.ActionListServiceArea().run(dispatcher, make_tracker(), EMPTY_DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_records_unavailable"
