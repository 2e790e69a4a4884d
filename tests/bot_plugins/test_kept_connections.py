"""Rasa reuses one open connection to the action server; requests are otherwise Rasa's own."""

from __future__ import annotations

import json
import textwrap

from testkit.rasa_script import run_in_rasa

# A tiny HTTP server in the same loop counts the TCP connections it accepts and echoes what
# each request carried; Rasa's `EndpointConfig.request` calls it three times.
CHECK = textwrap.dedent(
    """
    import asyncio, json
    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    async def main(install):
        connections = []
        async def webhook(request):
            if request.transport not in connections:
                connections.append(request.transport)
            return web.json_response({
                "auth": request.headers.get("Authorization"),
                "body": await request.json(),
            })
        async def failing(request):
            return web.json_response({"error": "no"}, status=500)
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        app.router.add_post("/fail", failing)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        if install:
            import bot_plugins.scrubbing_tracker_store  # installs the kept connections
        endpoint = EndpointConfig(
            f"http://127.0.0.1:{port}/webhook", headers={"Authorization": "Bearer t"}
        )
        answers = [await endpoint.request(json={"call": n}, method="post") for n in range(3)]
        failing_endpoint = EndpointConfig(f"http://127.0.0.1:{port}/fail")
        try:
            await failing_endpoint.request(json={}, method="post")
            status = None
        except Exception as error:
            status = getattr(error, "status", None)
        await runner.cleanup()
        return len(connections), answers, status

    rasa_own = asyncio.run(main(install=False))
    ours = asyncio.run(main(install=True))
    print(json.dumps({"rasa": rasa_own, "ours": ours}))
    """
)


def test_rasa_calls_the_action_server_over_one_kept_connection() -> None:
    seen = json.loads(run_in_rasa(CHECK))
    rasa_connections, rasa_answers, rasa_status = seen["rasa"]
    connections, answers, status = seen["ours"]
    assert rasa_connections == 3, "Rasa's own request opens a connection per call"
    assert connections == 1, "the three calls did not share one connection"
    # The same answers (headers and bodies arrive as before) and the same error.
    assert answers == rasa_answers
    assert answers[2] == {"auth": "Bearer t", "body": {"call": 2}}
    assert status == rasa_status == 500
