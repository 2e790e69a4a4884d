"""Starts the real processes (rasa, action server, web app) on free ports with a fresh database.

Used by the end-to-end tests, the conversation runner and the benchmarks:

    with LiveStack.start(model=latest_model()) as stack:
        httpx.post(stack.web_url + "/api/chat", json=...)

The production profile (README "生产配置 Production profile") runs several Rasa replicas
("rasa-0", "rasa-1", ...) on a fresh PostgreSQL back-office database, a fresh PostgreSQL tracker
database and a Redis lock store under a unique key prefix, and the web app with several workers:

    with LiveStack.start(model=..., profile="production", rasa_replicas=2) as stack:
        stack.stop_process("rasa-0"); ...; stack.start_process("rasa-0")
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx
from sqlalchemy import make_url

from core.production_env import production_env
from core.settings import PROJECT_ROOT

RASA_BIN = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
APP_PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"
MODELS_DIR = PROJECT_ROOT / "models"
START_TIMEOUT_SECONDS = 300.0
# Several Rasa replicas load their models at the same time on the same cores.
PRODUCTION_START_TIMEOUT_SECONDS = 600.0
# rasa-sdk 3.21 speaks the action protocol of Rasa 3.6 (checked: library_notes.md) but warns that
# the minor versions differ; silence exactly that warning.
RASA_SDK_VERSION_WARNING = (
    "ignore:Your versions of rasa and rasa_sdk might not be compatible:UserWarning"
)


Profile = Literal["embedded", "production"]


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


@dataclass(frozen=True)
class ProductionBackends:
    """Where a production-profile stack keeps its data (each one fresh for this stack)."""

    database_url: str
    tracker_database_url: str
    redis_url: str
    redis_key_prefix: str


@dataclass
class LiveStack:
    """The processes of the assistant, started on free ports with their own data.

    Embedded profile: "rasa", "actions", "web" on a SQLite file. Production profile: "rasa-0" ...
    "rasa-<n-1>" (see `rasa_names`), "actions", "web" (`web_workers` uvicorn workers) on
    PostgreSQL and Redis (`backends`).
    """

    workdir: Path
    rasa_port: int
    actions_port: int
    web_port: int
    model: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    # Random per stack: the action server's calls to the records API are authenticated.
    service_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    profile: Profile = "embedded"
    rasa_ports: list[int] = field(default_factory=list)
    web_workers: int = 1
    backends: ProductionBackends | None = None
    _processes: dict[str, _Process] = field(default_factory=dict)

    # The production profile refuses to start without real secrets (core/secrets_check.py).
    production_secrets: dict[str, str] = field(
        default_factory=lambda: {
            "EDITOR_TOKEN": secrets.token_hex(24),
            "HANDOFF_SESSION_SECRET": secrets.token_hex(24),
            "SLOT_SEALING_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        }
    )

    def __post_init__(self) -> None:
        if not self.rasa_ports:
            self.rasa_ports = [self.rasa_port]

    @property
    def rasa_names(self) -> list[str]:
        """Process names of the Rasa servers: "rasa", or "rasa-0", "rasa-1", ... (production)."""
        if self.profile == "embedded":
            return ["rasa"]
        return [f"rasa-{index}" for index in range(len(self.rasa_ports))]

    @property
    def rasa_urls(self) -> list[str]:
        """Base URLs of the Rasa servers, in the order of `rasa_names`."""
        return [f"http://127.0.0.1:{port}" for port in self.rasa_ports]

    @property
    def web_url(self) -> str:
        """Base URL of the web app (gateway + back office)."""
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def rasa_url(self) -> str:
        """Base URL of the (first) Rasa server."""
        return self.rasa_urls[0]

    @property
    def actions_url(self) -> str:
        """Base URL of the action server."""
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def database_url(self) -> str:
        """SQLAlchemy URL of this stack's back-office database."""
        if self.backends is not None:
            return self.backends.database_url
        return f"sqlite:///{self.workdir / 'backoffice.db'}"

    @property
    def process_names(self) -> list[str]:
        """Every process of the stack, in start order."""
        return ["actions", "web", *self.rasa_names]

    @classmethod
    @contextlib.contextmanager
    def start(
        cls,
        *,
        model: Path | None = None,
        extra_env: dict[str, str] | None = None,
        profile: Profile = "embedded",
        rasa_replicas: int = 2,
        web_workers: int | None = None,
    ) -> Iterator[LiveStack]:
        """Start a stack in a temporary directory and stop it (and delete its data) on exit.

        Args:
            model: The trained model (default: the newest in models/).
            extra_env: Variables added to (or overriding) every process's environment.
            profile: "embedded" (one Rasa, SQLite) or "production" (PostgreSQL, Redis and
                `rasa_replicas` Rasa servers); production needs PostgreSQL and Redis (the test is
                skipped without them, or fails under CI).
            rasa_replicas: Number of Rasa servers in the production profile.
            web_workers: uvicorn workers of the web app (default 1 embedded, 2 production).
        """
        with (
            tempfile.TemporaryDirectory(prefix="minzheng-stack-") as tmp,
            contextlib.ExitStack() as data,
        ):
            production = profile == "production"
            backends = data.enter_context(production_backends()) if production else None
            ports = [free_port() for _ in range(rasa_replicas if production else 1)]
            stack = cls(
                workdir=Path(tmp),
                rasa_port=ports[0],
                actions_port=free_port(),
                web_port=free_port(),
                model=model or latest_model(),
                extra_env=dict(extra_env or {}),
                profile=profile,
                rasa_ports=ports,
                web_workers=web_workers or (2 if production else 1),
                backends=backends,
            )
            try:
                stack.prepare_database()
                for name in stack.process_names:
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
                # The embedded profile, whatever the caller's shell or .env says (production
                # overrides these three below).
                "PROFILE": "embedded",
                "RASA_URLS": "",
                "REDIS_URL": "",
                "ACTION_SERVER_URL": self.actions_url,
                "ACTION_ENDPOINT_URL": f"{self.actions_url}/webhook",
                "BACKOFFICE_URL": self.web_url,
                "RASA_TRACKER_DB": str(self.workdir / "rasa_tracker.db"),
                "PYTHONUNBUFFERED": "1",
                "SERVICE_TOKEN": self.service_token,
                # Every test client is 127.0.0.1: no per-IP limit; scripts type fast.
                "RATE_LIMIT_PER_IP_PER_MINUTE": "0",
                "RATE_LIMIT_PER_SENDER_PER_MINUTE": "120",
            }
        )
        if self.backends is not None:
            env.update(self._production_environment())
        env.update(self.extra_env)
        return env

    def _production_environment(self) -> dict[str, str]:
        assert self.backends is not None
        backends = self.backends
        tracker = make_url(backends.tracker_database_url)
        # Every variable from this stack's own databases, never from the caller's shell.
        own = {
            "DATABASE_URL": backends.database_url,
            "REDIS_URL": backends.redis_url,
            "REDIS_KEY_PREFIX": backends.redis_key_prefix,
            "RASA_TRACKER_DB_HOST": tracker.host or "",
            "RASA_TRACKER_DB_PORT": str(tracker.port or 5432),
            "RASA_TRACKER_DB_NAME": tracker.database or "",
            "RASA_TRACKER_DB_USER": tracker.username or "",
            "RASA_TRACKER_DB_PASSWORD": tracker.password or "",
        }
        return {
            **own,
            **production_env(own),
            **self.production_secrets,
            "PROFILE": "production",
            "RASA_URLS": ",".join(self.rasa_urls),
        }

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
        if name in self.rasa_names:
            port = self.rasa_ports[self.rasa_names.index(name)]
            endpoints = "bot/endpoints.production.yml" if self.backends else "bot/endpoints.yml"
            return [
                str(RASA_BIN), "run", "--enable-api", "--interface", "127.0.0.1",
                "--port", str(port), "--model", str(self.model),
                "--endpoints", endpoints, "--credentials", "bot/credentials.yml",
            ]  # fmt: skip
        if name == "actions":
            return [
                str(APP_PYTHON), "-W", RASA_SDK_VERSION_WARNING, "-m", "rasa_sdk",
                "--actions", "actions", "--port", str(self.actions_port),
            ]  # fmt: skip
        if name == "web":
            workers = ["--workers", str(self.web_workers)] if self.web_workers > 1 else []
            return [
                str(APP_PYTHON), "-m", "uvicorn", "web.main:app",
                "--host", "127.0.0.1", "--port", str(self.web_port), *workers,
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

    def full_logs(self) -> dict[str, str]:
        """Everything each running process printed so far, by process name."""
        return {
            name: process.log_path.read_text(encoding="utf-8", errors="replace")
            for name, process in self._processes.items()
        }

    def health_urls(self) -> dict[str, str]:
        """The URL that answers 200 when each process is ready."""
        urls = {"actions": f"{self.actions_url}/health", "web": f"{self.web_url}/health"}
        for name, url in zip(self.rasa_names, self.rasa_urls, strict=True):
            urls[name] = f"{url}/"
        return urls

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
                process = self._processes[name]
                if process.popen.poll() is not None:
                    raise StackError(f"{name} exited early:\n{process.log_tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(url, timeout=2.0).status_code == httpx.codes.OK:
                        del pending[name]
            if time.monotonic() > deadline:
                tails = "\n\n".join(f"== {n} ==\n{self.log(n)}" for n in pending)
                raise StackError(f"not ready after {timeout:.0f} s:\n{tails}")
            time.sleep(0.5)


@contextlib.contextmanager
def production_backends() -> Iterator[ProductionBackends]:
    """Fresh PostgreSQL databases (back office, Rasa tracker) and a fresh Redis key prefix."""
    from testkit.databases import fresh_postgres_database  # imports pytest: only when needed
    from testkit.redis_server import fresh_redis_prefix

    with (
        fresh_postgres_database() as database_url,
        fresh_postgres_database() as tracker_database_url,
        fresh_redis_prefix() as (redis_url, key_prefix),
    ):
        yield ProductionBackends(
            database_url=database_url,
            tracker_database_url=tracker_database_url,
            redis_url=redis_url,
            redis_key_prefix=key_prefix,
        )


def main() -> None:
    """Start a stack with the latest model and print its URLs until interrupted.

    `python -m testkit.stack production [replicas]` starts the production profile.
    """
    args = sys.argv[1:]
    profile: Profile = "production" if args[:1] == ["production"] else "embedded"
    replicas = int(args[1]) if len(args) > 1 else 2
    with LiveStack.start(profile=profile, rasa_replicas=replicas) as stack:
        rasa = " ".join(stack.rasa_urls)
        print(f"web {stack.web_url}  rasa {rasa}  actions {stack.actions_url}")
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(1)


if __name__ == "__main__":
    main()
