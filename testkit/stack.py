"""Starts the real processes (rasa, action server, web app) on free ports with a fresh database.

Used by the end-to-end tests, the conversation runner and the benchmarks:

    with LiveStack.start(model=latest_model()) as stack:
        httpx.post(stack.web_url + "/api/chat", json=...)

The command lines and environment are those of core/processes.py, the one definition that
`make run`, `make run-production` and the Kubernetes manifests use too.

The production profile (README "生产配置 Production profile") runs as `make run-production`
does: under supervisord (config generated from the definition), several Rasa replicas
("rasa-0", "rasa-1", ...) and web workers ("web-0", "web-1", ...), each supervised on its own,
on a fresh PostgreSQL back-office database, a fresh PostgreSQL tracker database and a Redis lock
store under a unique key prefix:

    with LiveStack.start(model=..., profile="production", rasa_replicas=2) as stack:
        stack.kill("rasa-0")       # SIGKILL: supervisord starts it again by itself
        stack.stop_process("rasa-0"); ...; stack.start_process("rasa-0")
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import make_url

from core.process_configs import render_supervisord
from core.processes import Process, Profile, processes
from core.processes import environment as shared_environment
from core.settings import PROJECT_ROOT
from core.supervisor_client import Supervisor

RASA_BIN = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
APP_PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"
SUPERVISORD = PROJECT_ROOT / ".venv" / "bin" / "supervisord"
MODELS_DIR = PROJECT_ROOT / "models"
MODELS_DIR_VARIABLE = "STACK_MODELS_DIR"
START_TIMEOUT_SECONDS = 300.0
# Several Rasa replicas load their models at the same time on the same cores.
PRODUCTION_START_TIMEOUT_SECONDS = 600.0
SUPERVISORD_START_SECONDS = 20.0


class StackError(RuntimeError):
    """A process of the stack did not start or died."""


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def latest_model(models_dir: Path | None = None) -> Path:
    """The newest trained model; raises when none was trained (run `make train`).

    Args:
        models_dir: Where to look; default `$STACK_MODELS_DIR` when set (a model trained
            elsewhere, e.g. `rasa train --out /tmp/x` for a changed domain, without replacing the
            one in models/), else models/.
    """
    models_dir = models_dir or Path(os.environ.get(MODELS_DIR_VARIABLE) or MODELS_DIR)
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise StackError(f"no trained model in {models_dir}: run `make train` first")
    return models[-1]


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

    Embedded profile: "rasa", "actions", "web" on a SQLite file, each a child of this object.
    Production profile: "rasa-0" ... (see `rasa_names`), "actions", "web-0" ... (`web_workers`
    processes sharing the web port) on PostgreSQL and Redis (`backends`), under supervisord.
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
    _children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _supervisord: subprocess.Popen[bytes] | None = None

    # Random per stack in both profiles (the production one refuses weak secrets:
    # core/secrets_check.py); nothing falls back on the developer's core/local_secrets file.
    production_secrets: dict[str, str] = field(
        default_factory=lambda: {
            "EDITOR_TOKEN": secrets.token_hex(24),
            "RASA_TOKEN": secrets.token_hex(24),
            "ACTION_SERVER_TOKEN": secrets.token_hex(24),
            "HANDOFF_SESSION_SECRET": secrets.token_hex(24),
            "SLOT_SEALING_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        }
    )

    def __post_init__(self) -> None:
        if not self.rasa_ports:
            self.rasa_ports = [self.rasa_port]

    @property
    def supervised(self) -> bool:
        """True for the production profile: the processes run under supervisord."""
        return self.profile == "production"

    @property
    def log_dir(self) -> Path:
        """Where each process writes `<name>.log`."""
        return self.workdir / "log"

    def processes(self) -> list[Process]:
        """This stack's processes, from the one definition (core/processes.py)."""
        return processes(self.profile, self.environment())

    def process(self, name: str) -> Process:
        """The definition of process `name`."""
        for process in self.processes():
            if process.name == name:
                return process
        raise ValueError(f"unknown process {name}")

    @property
    def rasa_names(self) -> list[str]:
        """Process names of the Rasa servers: "rasa", or "rasa-0", "rasa-1", ... (production)."""
        if self.profile == "embedded":
            return ["rasa"]
        return [f"rasa-{index}" for index in range(len(self.rasa_ports))]

    @property
    def web_names(self) -> list[str]:
        """Process names of the web workers: "web", or "web-0", "web-1", ... (production)."""
        if self.profile == "embedded":
            return ["web"]
        return [f"web-{index}" for index in range(self.web_workers)]

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
        return [process.name for process in self.processes()]

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
                `rasa_replicas` Rasa servers under supervisord); production needs PostgreSQL and
                Redis (the test is skipped without them, or fails under CI).
            rasa_replicas: Number of Rasa servers in the production profile.
            web_workers: web worker processes (default 1 embedded, 2 production).
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
                stack.start_all()
                stack.wait_until_ready()
                yield stack
            finally:
                stack.stop()

    def environment(self) -> dict[str, str]:
        """Environment of every process of this stack (the caller's, with the stack's own)."""
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": self.database_url,
                # The stack's own layout, whatever the caller's shell or .env says.
                "PROFILE": self.profile,
                "RASA_PORTS": ",".join(str(port) for port in self.rasa_ports),
                "RASA_HOST": "127.0.0.1",
                "RASA_MODEL": str(self.model),
                "RASA_URL": self.rasa_url,
                "RASA_URLS": ",".join(self.rasa_urls) if self.backends else "",
                "REDIS_URL": "",
                "ACTIONS_PORT": str(self.actions_port),
                "ACTION_SERVER_URL": self.actions_url,
                "ACTION_ENDPOINT_URL": f"{self.actions_url}/webhook",
                "WEB_HOST": "127.0.0.1",
                "WEB_PORT": str(self.web_port),
                "WEB_WORKERS": str(self.web_workers),
                "BACKOFFICE_URL": self.web_url,
                "RASA_TRACKER_DB": str(self.workdir / "rasa_tracker.db"),
                "TELEGRAM_BOT_TOKEN": "",
                "PYTHONUNBUFFERED": "1",
                "SERVICE_TOKEN": self.service_token,
                **self.production_secrets,
                "MINZHENG_SECRETS_FILE": str(self.workdir / "secrets.env"),
                # Every test client is 127.0.0.1: no per-IP limit; scripts type fast.
                "RATE_LIMIT_PER_IP_PER_MINUTE": "0",
                "RATE_LIMIT_PER_SENDER_PER_MINUTE": "120",
            }
        )
        if self.backends is not None:
            env.update(self._production_environment())
        env.update(self.extra_env)
        # What every process gets from the definition (the tracker- and lock-store variables ...).
        return {**env, **shared_environment(self.profile, env)}

    def _production_environment(self) -> dict[str, str]:
        assert self.backends is not None
        backends = self.backends
        tracker = make_url(backends.tracker_database_url)
        # Every variable from this stack's own databases, never from the caller's shell.
        return {
            "DATABASE_URL": backends.database_url,
            "REDIS_URL": backends.redis_url,
            "REDIS_KEY_PREFIX": backends.redis_key_prefix,
            "RASA_TRACKER_DB_HOST": tracker.host or "",
            "RASA_TRACKER_DB_PORT": str(tracker.port or 5432),
            "RASA_TRACKER_DB_NAME": tracker.database or "",
            "RASA_TRACKER_DB_USER": tracker.username or "",
            "RASA_TRACKER_DB_PASSWORD": tracker.password or "",
            "RASA_LOCK_REDIS_HOST": "",
            "RASA_LOCK_REDIS_PORT": "",
            "RASA_LOCK_REDIS_DB": "",
            "RASA_LOCK_REDIS_PASSWORD": "",
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
