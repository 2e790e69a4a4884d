"""Starting, stopping, killing and waiting for the processes of a live stack.

Embedded profile: each process is a child of the stack. Production profile: supervisord
(its config generated from core/processes.py) supervises each process, and restarts a killed
one by itself. `LiveStack` (testkit/stack.py) says which processes there are and their
environment; this class runs them.
"""

from __future__ import annotations

import abc
import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import httpx

from core.process_configs import render_supervisord
from core.processes import Process, Profile
from core.settings import PROJECT_ROOT
from core.supervisor_client import Supervisor
from testkit.stack_basics import (
    PRODUCTION_START_TIMEOUT_SECONDS,
    START_TIMEOUT_SECONDS,
    SUPERVISORD,
    SUPERVISORD_START_SECONDS,
    ProductionBackends,
    StackError,
)


class ProcessControl(abc.ABC):
    """Runs the processes a stack defines; the stack gives `processes` and `environment`."""

    workdir: Path
    profile: Profile
    backends: ProductionBackends | None
    _children: dict[str, subprocess.Popen[bytes]]
    _supervisord: subprocess.Popen[bytes] | None

    @abc.abstractmethod
    def processes(self) -> list[Process]:
        """This stack's processes, from the one definition (core/processes.py)."""

    @abc.abstractmethod
    def environment(self) -> dict[str, str]:
        """Environment of every process of this stack."""

    @property
    def supervised(self) -> bool:
        """True for the production profile: the processes run under supervisord."""
        return self.profile == "production"

    @property
    def log_dir(self) -> Path:
        """Where each process writes `<name>.log`."""
        return self.workdir / "log"

    def process(self, name: str) -> Process:
        """The definition of process `name`."""
        for process in self.processes():
            if process.name == name:
                return process
        raise ValueError(f"unknown process {name}")

    @property
    def process_names(self) -> list[str]:
        """Every process of the stack, in start order."""
        return [process.name for process in self.processes()]

    def command(self, name: str) -> list[str]:
        """The command line of process `name` (as core/processes.py defines it)."""
        return self.process(name).argv

    @property
    def supervisor(self) -> Supervisor:
        """Client of this stack's supervisord (production profile)."""
        return Supervisor(self.workdir)

    def start_all(self) -> None:
        """Start every process: supervisord (production), or each one as a child (embedded)."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if not self.supervised:
            for name in self.process_names:
                self.start_process(name)
            return
        config = self.workdir / "supervisord.conf"
        files = render_supervisord(self.profile, self.environment(), self.workdir)
        config.write_text(files["supervisord.conf"], encoding="utf-8")
        log = (self.log_dir / "supervisord.out").open("ab")
        self._supervisord = subprocess.Popen(
            [str(SUPERVISORD), "--nodaemon", "--configuration", str(config)],
            cwd=PROJECT_ROOT,
            env=self.environment(),  # the secrets reach the processes from here, not the file
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + SUPERVISORD_START_SECONDS
        while True:
            with contextlib.suppress(OSError):
                self.supervisor.states()
                return
            if self._supervisord.poll() is not None or time.monotonic() > deadline:
                raise StackError(f"supervisord did not start:\n{self._log_tail('supervisord')}")
            time.sleep(0.2)

    def start_process(self, name: str) -> None:
        """Start (or restart) process `name`, logging to `log_dir`/<name>.log."""
        if self.supervised:
            self.supervisor.start(name)
            return
        process = self.process(name)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{name}.log").open("ab")
        self._children[name] = subprocess.Popen(
            process.argv,
            cwd=PROJECT_ROOT,
            env={**self.environment(), **process.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop_process(self, name: str) -> None:
        """Stop process `name` and leave it stopped (SIGTERM, then SIGKILL after a while)."""
        if self.supervised:
            self.supervisor.stop(name)
            return
        popen = self._children.pop(name, None)
        if popen is None or popen.poll() is not None:
            return
        popen.terminate()
        try:
            popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait(timeout=10)

    def pid(self, name: str) -> int:
        """Process id of `name` right now (0 when it is not running)."""
        if self.supervised:
            return self.supervisor.pid(name)
        popen = self._children.get(name)
        return popen.pid if popen is not None and popen.poll() is None else 0

    def kill(self, name: str) -> int:
        """SIGKILL process `name` and its process group (its own workers); returns the pid.

        Nothing is restarted here: under supervisord (production) it comes back by itself.
        """
        pid = self.pid(name)
        if not pid:
            raise StackError(f"{name} is not running")
        os.killpg(pid, signal.SIGKILL)
        return pid

    def stop(self) -> None:
        """Stop every process (and supervisord)."""
        if self._supervisord is not None:
            with contextlib.suppress(OSError):
                self.supervisor.shutdown()
            try:
                self._supervisord.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self._supervisord.pid, signal.SIGKILL)
                self._supervisord.wait(timeout=10)
            self._supervisord = None
        for name in list(self._children):
            self.stop_process(name)

    def _log_tail(self, name: str, lines: int = 40) -> str:
        path = self.log_dir / (f"{name}.out" if name == "supervisord" else f"{name}.log")
        if not path.exists():
            return ""
        text = path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def log(self, name: str) -> str:
        """The last lines that process `name` printed (for failure messages)."""
        return self._log_tail(name)

    def full_logs(self) -> dict[str, str]:
        """Everything each process printed so far, by process name."""
        return {
            path.stem: path.read_text(encoding="utf-8", errors="replace")
            for path in sorted(self.log_dir.glob("*.log"))
        }

    def health_urls(self) -> dict[str, str]:
        """The URL that answers 200 when each process is ready."""
        return {p.name: p.health_url for p in self.processes() if p.health_url is not None}

    def _exited(self, name: str) -> bool:
        if self.supervised:
            return self._supervisord is None or self._supervisord.poll() is not None
        popen = self._children.get(name)
        return popen is None or popen.poll() is not None

    def wait_until_ready(self, names: tuple[str, ...] | None = None) -> None:
        """Block until the given processes (default: all) answer their health checks."""
        pending = dict(self.health_urls())
        if names is not None:
            pending = {name: url for name, url in pending.items() if name in names}
        timeout = (
            START_TIMEOUT_SECONDS if self.backends is None else PRODUCTION_START_TIMEOUT_SECONDS
        )
        deadline = time.monotonic() + timeout
        while pending:
            for name, url in list(pending.items()):
                if self._exited(name):
                    raise StackError(f"{name} exited early:\n{self.log(name)}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(url, timeout=2.0).status_code == httpx.codes.OK:
                        del pending[name]
            if time.monotonic() > deadline:
                tails = "\n\n".join(f"== {n} ==\n{self.log(n)}" for n in pending)
                raise StackError(f"not ready after {timeout:.0f} s:\n{tails}")
            time.sleep(0.5)
