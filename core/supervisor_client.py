"""Talking to the supervisord of the production profile (its XML-RPC API on a unix socket).

The process names are those of core/processes.py (rasa-0, actions, web-0 ...); supervisord calls
a web worker ``web:web-0`` (the fcgi-program ``web`` holds the socket they share).
"""

from __future__ import annotations

import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from supervisor.xmlrpc import SupervisorTransport

from core.process_configs import SUPERVISOR_SOCKET

RUNNING = "RUNNING"


@dataclass(frozen=True)
class ProcessState:
    """What supervisord says about one process."""

    name: str
    state: str
    pid: int
    description: str


class Supervisor:
    """A client of the supervisord whose socket is in `run_dir`."""

    def __init__(self, run_dir: Path) -> None:
        """Connect lazily to `run_dir`/supervisor.sock."""
        socket = run_dir.resolve() / SUPERVISOR_SOCKET
        transport = SupervisorTransport(None, None, f"unix://{socket}")
        self._proxy: Any = xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport)

    def states(self) -> dict[str, ProcessState]:
        """Every supervised process by name."""
        infos = cast(list[dict[str, Any]], self._proxy.supervisor.getAllProcessInfo())
        return {
            info["name"]: ProcessState(
                name=info["name"],
                state=str(info["statename"]),
                pid=int(info["pid"]),
                description=str(info["description"]),
            )
            for info in infos
        }

    @staticmethod
    def full_name(name: str) -> str:
        """The supervisord name (``group:name``) of process `name`."""
        return f"web:{name}" if name.startswith("web-") else f"{name}:{name}"

    def pid(self, name: str) -> int:
        """Process id of `name` (0 when it is not running)."""
        return int(self._proxy.supervisor.getProcessInfo(self.full_name(name))["pid"])

    def start(self, name: str) -> None:
        """Start `name` (returns once supervisord sees it running)."""
        self._proxy.supervisor.startProcess(self.full_name(name), True)

    def stop(self, name: str) -> None:
        """Stop `name` and keep it stopped (it is not restarted)."""
        self._proxy.supervisor.stopProcess(self.full_name(name), True)

    def shutdown(self) -> None:
        """Stop every process, then supervisord itself."""
        self._proxy.supervisor.shutdown()
