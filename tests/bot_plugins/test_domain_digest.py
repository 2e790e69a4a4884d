"""Rasa sends the action server the domain once, then its digest; the actions still get it.

Rasa 3.6 (.venv-rasa) with the plug-in calls the real action server (`python -m
actions.server`, rasa-sdk 3.21 in .venv) whose one action reports the domain it received. A
proxy in between records what each call carried.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.settings import PROJECT_ROOT
from testkit.rasa_script import run_in_rasa
from testkit.stack_basics import free_port

TOKEN = "digest-test-token"

# Rasa's side: a recording proxy in front of the action server, then RemoteAction calls.
CHECK = textwrap.dedent(
    """
    import asyncio, json, sys
    from aiohttp import ClientSession, web
    from rasa.core.actions.action import RemoteAction
    from rasa.core.channels import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    install = sys.argv[2] == "install"
    if install:
        import bot_plugins.scrubbing_tracker_store  # installs the plug-ins

    async def main():
        calls = []
        async def proxy(request):
            body = await request.json()
            async with ClientSession() as session:
                headers = {"Authorization": request.headers["Authorization"]}
                async with session.post(sys.argv[1], json=body, headers=headers) as answer:
                    calls.append(["domain" in body, "domain_digest" in body, answer.status])
                    return web.Response(
                        body=await answer.read(), status=answer.status,
                        content_type="application/json",
                    )
        app = web.Application()
        app.router.add_post("/webhook", proxy)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        endpoint = EndpointConfig(
            f"http://127.0.0.1:{port}/webhook", headers={"Authorization": "Bearer " + sys.argv[3]}
        )
        action = RemoteAction("action_report_domain", endpoint)
        seen = []
        domains = [Domain.load("bot/domain"), Domain.load("bot/domain")]
        smaller = Domain.from_dict({"responses": {"utter_x": [{"text": "好"}]}})
        for domain in [*domains, smaller, domains[0]]:
            tracker = DialogueStateTracker("web-digest", domain.slots)
            nlg = TemplatedNaturalLanguageGenerator(domain.responses)
            events = await action.run(CollectingOutputChannel(), nlg, tracker, domain)
            seen.append([e.value for e in events if getattr(e, "key", None) == "seen_responses"])
        await runner.cleanup()
        return {"calls": calls, "seen": seen, "expected": len(domains[0].responses)}

    print(json.dumps(asyncio.run(main())))
    """
)


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The project's action server serving only the probe action; its webhook URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("actions") / "actions.log"
    env = {**os.environ, "ACTION_SERVER_TOKEN": TOKEN}
    command = [sys.executable, "-m", "actions.server", "--actions",
               "tests.bot_plugins.digest_probe", "--port", str(port)]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, Path(log).read_text()[-3000:]
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        process.terminate()
        process.wait(timeout=30)


def run_rasa_side(url: str, mode: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(run_in_rasa(CHECK, url, mode, TOKEN))
    return found


def test_the_domain_goes_once_per_domain_and_every_action_gets_it(action_server: str) -> None:
    found = run_rasa_side(action_server, "install")
    expected = found["expected"]
    # Each call's action saw the domain of that call, sent or kept by the action server.
    assert found["seen"] == [[expected], [expected], [1], [expected]]
    # (domain sent, digest sent, answer): the first call of a domain the server does not
    # hold is answered 449 and sent again with the domain; an equal domain goes by digest.
    assert found["calls"] == [
        [False, True, 449],
        [True, True, 200],
        [False, True, 200],
        [False, True, 449],
        [True, True, 200],
        [False, True, 449],
        [True, True, 200],
    ]


def test_without_the_plugin_rasa_sends_the_domain_every_time(action_server: str) -> None:
    found = run_rasa_side(action_server, "plain")
    expected = found["expected"]
    assert found["seen"] == [[expected], [expected], [1], [expected]]
    assert [call[0] for call in found["calls"]] == [True, True, True, True]
