"""The action server: rasa-sdk's, listening on 127.0.0.1, only for Rasa, keeping phones sealed.

`python -m actions.server --actions actions --port 5055` (core/processes.py) runs rasa-sdk's own
Sanic app with three additions:
- it listens on `--host` (default 127.0.0.1; core/processes.py passes `ACTION_SERVER_HOST`;
  rasa-sdk's own default is every interface);
- `/webhook` and `/actions` answer only calls carrying `Authorization: Bearer
  <ACTION_SERVER_TOKEN>` (Rasa sends it: bot/endpoints*.yml); an empty token refuses every call;
  `/health` stays open for the process checks;
- `SealingActionExecutor` keeps phone numbers out of Rasa's tracker store: every slot named
  `*_phone` or `*_proof` that an action sets is sealed (core/sealing.py) before Rasa sees it,
  and unsealed in the tracker an action receives, so the actions read and write plain numbers;
  it also adds the privacy notice before the first ID number or phone a service asks for
  (`actions/privacy_notice.py`).
"""

from __future__ import annotations

import asyncio
import hmac
from functools import partial
from typing import Any

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app_for_serve, create_argument_parser
from rasa_sdk.executor import ActionExecutor, ActionExecutorRunResult
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.privacy_notice import with_privacy_notice
from core.sealing import SEALED_PREFIX, seal, unseal
from core.settings import get_settings

# Phone numbers, and the marriage look-up's proof (a phone or an ID's last four).
PERSONAL_SLOT_SUFFIXES = ("_phone", "_proof")
PROTECTED_PATHS = ("/webhook", "/actions")
DEFAULT_HOST = "127.0.0.1"


def is_personal_slot(name: object) -> bool:
    """True for the slots whose values are sealed in the tracker (phone numbers)."""
    return isinstance(name, str) and name.endswith(PERSONAL_SLOT_SUFFIXES)


def seal_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`events` with the values of personal `slot` events sealed (already sealed ones kept)."""
    sealed = []
    for event in events:
        value = event.get("value")
        if (
            event.get("event") == "slot"
            and is_personal_slot(event.get("name"))
            and isinstance(value, str)
            and value
            and not value.startswith(SEALED_PREFIX)
        ):
            event = {**event, "value": seal(value)}
        sealed.append(event)
    return sealed


def unseal_tracker(tracker: dict[str, Any]) -> dict[str, Any]:
    """A copy of the tracker JSON whose personal slots (and slot events) are plain again."""
    slots = {
        name: unseal(value) if is_personal_slot(name) and isinstance(value, str) else value
        for name, value in (tracker.get("slots") or {}).items()
    }
    events = [
        {**event, "value": unseal(event.get("value"))}
        if event.get("event") == "slot" and is_personal_slot(event.get("name"))
        else event
        for event in tracker.get("events") or []
    ]
    return {**tracker, "slots": slots, "events": events}


class SealingActionExecutor(ActionExecutor):
    """rasa-sdk's executor; personal slots unsealed going in, sealed coming out; privacy notice."""

    async def run(
        self,
        action_call: dict[str, Any],
        sink: asyncio.Queue[Any] | None = None,
        dispatcher: Any = None,
    ) -> ActionExecutorRunResult | None:
        """Run the action on the unsealed tracker; seal the personal slots it sets.

        The privacy notice is added to the action's messages where it is due.
        """
        if isinstance(action_call.get("tracker"), dict):
            action_call = {**action_call, "tracker": unseal_tracker(action_call["tracker"])}
        result = await super().run(action_call, sink=sink, dispatcher=dispatcher)
        if result is not None:
            # The domain as rasa-sdk keeps it: a call may leave it out when Rasa sends a digest.
            call = {**action_call, "domain": self.domain or {}}
            result.responses = with_privacy_notice(call, result.events, result.responses)
            result.events = seal_events(result.events)
        return result


def token_matches(authorization: str | None, expected: str) -> bool:
    """True when `authorization` is `Bearer <expected>` and a token is configured."""
    scheme, _, supplied = (authorization or "").partition(" ")
    return (
        bool(expected)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(supplied.strip().encode(), expected.encode())
    )


async def _require_token(request: Request) -> HTTPResponse | None:
    if not request.path.startswith(PROTECTED_PATHS):
        return None
    if token_matches(request.headers.get("authorization"), get_settings().action_server_token):
        return None
    return response.json({"error": "action server token required"}, status=401)


def create_server(action_executor: ActionExecutor, **options: Any) -> Sanic[Any, Any]:
    """rasa-sdk's app (for the primary process and each worker) with the token check."""
    app = create_app_for_serve(action_executor, **options)
    app.register_middleware(_require_token, "request")
    return app


def main() -> None:
    """Parse rasa-sdk's arguments and serve (as rasa-sdk's own `run`, on our host)."""
    from sanic.worker.loader import AppLoader  # only when serving

    parser = create_argument_parser()  # type: ignore[no-untyped-call]
    parser.add_argument("--host", default=DEFAULT_HOST, help="interface to listen on")
    args = parser.parse_args()
    executor = SealingActionExecutor()
    executor.register_package(args.actions_module or args.actions)
    loader = AppLoader(
        factory=partial(
            create_server,
            executor,
            cors_origins=args.cors,
            auto_reload=args.auto_reload,
            endpoints=args.endpoints,
        )
    )
    app = loader.load()
    app.prepare(host=args.host, port=args.port, workers=utils.number_of_sanic_workers())
    Sanic.serve(primary=app, app_loader=loader)


if __name__ == "__main__":
    main()
