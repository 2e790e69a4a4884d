"""Starts the real processes (rasa, action server, web app) on free ports with a fresh database.

Used by the end-to-end tests, the conversation runner and the benchmarks:

    with LiveStack.start(model=latest_model()) as stack:
        httpx.post(stack.web_url + "/api/chat", json=...)
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from core.settings import PROJECT_ROOT

RASA_BIN = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
APP_PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"
MODELS_DIR = PROJECT_ROOT / "models"
START_TIMEOUT_SECONDS = 300.0
# rasa-sdk 3.21 speaks the action protocol of Rasa 3.6 (checked: library_notes.md) but warns that
# the minor versions differ; silence exactly that warning.
RASA_SDK_VERSION_WARNING = (
    "ignore:Your versions of rasa and rasa_sdk might not be compatible:UserWarning"
)


class StackError(RuntimeError):
    """A process of the stack did not start or died."""


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def latest_model(models_dir: Path = MODELS_DIR) -> Path:
    """The newest trained model; raises when none was trained (run `make train`)."""
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise StackError(f"no trained model in {models_dir}: run `make train` first")
    return models[-1]


@dataclass
class _Process:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class LiveStack:
    """The three processes of the assistant, started on free ports with their own data."""

    workdir: Path
    rasa_port: int
    actions_port: int
    web_port: int
    model: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    _processes: dict[str, _Process] = field(default_factory=dict)

    @property
    def web_url(self) -> str:
        """Base URL of the web app (gateway + back office)."""
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def rasa_url(self) -> str:
        """Base URL of the Rasa server."""
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        """Base URL of the action server."""
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def database_url(self) -> str:
        """SQLAlchemy URL of this stack's back-office database."""
        return f"sqlite:///{self.workdir / 'backoffice.db'}"

    @classmethod
    @contextlib.contextmanager
    def start(
        cls, *, model: Path | None = None, extra_env: dict[str, str] | None = None
    ) -> Iterator[LiveStack]:
        """Start a stack in a temporary directory and stop it (and delete its data) on exit."""
        with tempfile.TemporaryDirectory(prefix="minzheng-stack-") as tmp:
            stack = cls(
                workdir=Path(tmp),
                rasa_port=free_port(),
                actions_port=free_port(),
                web_port=free_port(),
                model=model or latest_model(),
                extra_env=dict(extra_env or {}),
            )
            try:
                stack.prepare_database()
                for name in ("actions", "web", "rasa"):
                    stack.start_process(name)
                stack.wait_until_ready()
                yield stack
            finally:
                stack.stop()

    def environment(self) -> dict[str, str]:
        """Environment shared by every process of this stack."""
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": self.database_url,
                "RASA_URL": self.rasa_url,
                "ACTION_SERVER_URL": self.actions_url,
                "ACTION_ENDPOINT_URL": f"{self.actions_url}/webhook",
                "BACKOFFICE_URL": self.web_url,
                "RASA_TRACKER_DB": str(self.workdir / "rasa_tracker.db"),
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        return env

    def prepare_database(self) -> None:
        """Apply the migrations and seed the reference data into a fresh database."""
        env = self.environment()
        for args in (["-m", "alembic", "upgrade", "heads"], ["-m", "backoffice.seed"]):
            result = subprocess.run(
                [str(APP_PYTHON), *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
            )
            if result.returncode != 0:
                raise StackError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")

    def command(self, name: str) -> list[str]:
        """The command line of process `name`."""
        if name == "rasa":
            return [
                str(RASA_BIN), "run", "--enable-api", "--interface", "127.0.0.1",
                "--port", str(self.rasa_port), "--model", str(self.model),
                "--endpoints", "bot/endpoints.yml", "--credentials", "bot/credentials.yml",
            ]  # fmt: skip
        if name == "actions":
            return [
                str(APP_PYTHON), "-W", RASA_SDK_VERSION_WARNING, "-m", "rasa_sdk",
                "--actions", "actions", "--port", str(self.actions_port),
            ]  # fmt: skip
        if name == "web":
            return [
                str(APP_PYTHON), "-m", "uvicorn", "web.main:app",
                "--host", "127.0.0.1", "--port", str(self.web_port),
            ]  # fmt: skip
        raise ValueError(f"unknown process {name}")

    def start_process(self, name: str) -> None:
        """Start (or restart) process `name`, logging to a file in the work directory."""
        log_path = self.workdir / f"{name}.log"
        log = log_path.open("ab")
        popen = subprocess.Popen(
            self.command(name),
            cwd=PROJECT_ROOT,
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._processes[name] = _Process(name=name, popen=popen, log_path=log_path)

    def stop_process(self, name: str) -> None:
        """Stop process `name` (SIGTERM, then SIGKILL after 10 s)."""
        process = self._processes.pop(name, None)
        if process is None or process.popen.poll() is not None:
            return
        process.popen.terminate()
        try:
            process.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.popen.kill()
            process.popen.wait(timeout=10)

    def stop(self) -> None:
        """Stop every process."""
        for name in list(self._processes):
            self.stop_process(name)

    def log(self, name: str) -> str:
        """The last lines that process `name` printed (for failure messages)."""
        process = self._processes.get(name)
        return process.log_tail() if process else ""

    def health_urls(self) -> dict[str, str]:
        """The URL that answers 200 when each process is ready."""
        return {
            "actions": f"{self.actions_url}/health",
            "web": f"{self.web_url}/health",
            "rasa": f"{self.rasa_url}/",
        }

    def wait_until_ready(self, names: tuple[str, ...] | None = None) -> None:
        """Block until the given processes (default: all) answer their health checks."""
        pending = dict(self.health_urls())
        if names is not None:
            pending = {name: url for name, url in pending.items() if name in names}
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while pending:
            for name, url in list(pending.items()):
                process = self._processes[name]
                if process.popen.poll() is not None:
                    raise StackError(f"{name} exited early:\n{process.log_tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(url, timeout=2.0).status_code == httpx.codes.OK:
                        del pending[name]
            if time.monotonic() > deadline:
                tails = "\n\n".join(f"== {n} ==\n{self.log(n)}" for n in pending)
                raise StackError(f"not ready after {START_TIMEOUT_SECONDS:.0f} s:\n{tails}")
            time.sleep(0.5)


def main() -> None:
    """Start a stack with the latest model and print its URLs until interrupted."""
    with LiveStack.start() as stack:
        print(f"web {stack.web_url}  rasa {stack.rasa_url}  actions {stack.actions_url}")
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(1)


if __name__ == "__main__":
    main()
