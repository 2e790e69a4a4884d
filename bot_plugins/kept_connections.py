"""Rasa keeps its HTTP connection to the action server open between calls (Rasa 3.6).

Rasa 3.6 sends every custom action (and every form's validation) with
`EndpointConfig.request`, which opens `async with self.session()`: a new aiohttp
`ClientSession`, a new connection pool and a new TCP connection for each call, all closed
again when the answer is read. `install()` makes `EndpointConfig.session` hand out one
session per endpoint and event loop, kept open, so the next call reuses its connection
(HTTP keep-alive; the action server keeps idle connections for 120 s, aiohttp for 15 s).
Everything else of the request is Rasa's own code: headers, token, timeout, compression,
errors.

Rasa offers no start-up hook, so `bot_plugins.scrubbing_tracker_store` (which every
profile's endpoints load into Rasa) calls `install()` when it is imported. Runs in
.venv-rasa only.
"""

from __future__ import annotations

import asyncio
import weakref
from types import TracebackType
from typing import Any

import aiohttp
from rasa.utils.endpoints import EndpointConfig

# Rasa's own `EndpointConfig.session`, which builds a configured session.
_rasa_session = EndpointConfig.session

# id(endpoint) → (the endpoint, weakly; the loop the session belongs to; the session).
_kept: dict[int, tuple[weakref.ref[EndpointConfig], asyncio.AbstractEventLoop, Any]] = {}


def kept_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """The open session of `endpoint` in the running event loop (made on first use).

    A session belongs to the loop it was made in: a new loop (`rasa test`, a restart of
    the server's loop) or a closed session gets a new one.
    """
    loop = asyncio.get_running_loop()
    found = _kept.get(id(endpoint))
    if found is not None:
        owner, session_loop, session = found
        if owner() is endpoint and session_loop is loop and not session.closed:
            return session  # type: ignore[no-any-return]
    key = id(endpoint)
    session = _rasa_session(endpoint)
    # Forget the entry with the endpoint (a copy of an endpoint gets its own session).
    _kept[key] = (weakref.ref(endpoint, lambda _: _kept.pop(key, None)), loop, session)
    return session


class KeptSession:
    """What `EndpointConfig.session()` returns once installed: `async with` it as before.

    Entering gives the endpoint's kept session; leaving does not close it.
    """

    def __init__(self, endpoint: EndpointConfig) -> None:
        self._endpoint = endpoint

    async def __aenter__(self) -> aiohttp.ClientSession:
        return kept_session(self._endpoint)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


def session(self: EndpointConfig) -> KeptSession:
    """`EndpointConfig.session` replaced: the kept session instead of a new one."""
    return KeptSession(self)


def install() -> None:
    """Make Rasa's endpoint requests reuse one open session per endpoint and loop."""
    EndpointConfig.session = session  # type: ignore[method-assign,assignment]
