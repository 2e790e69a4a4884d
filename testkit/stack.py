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
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import make_url

from core.processes import Process, Profile, processes
from core.processes import environment as shared_environment
from core.settings import PROJECT_ROOT
from testkit.stack_basics import (
    APP_PYTHON,
    ProductionBackends,
    StackError,
    free_port,
    latest_model,
    production_backends,
)
from testkit.stack_processes import ProcessControl


@dataclass
class LiveStack(ProcessControl):
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
    # The environment the processes inherit (default: this process's, read at each start); a
    # stack started in a background thread gets a copy taken before it (tests/conftest.py).
    base_env: dict[str, str] | None = None
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

    def processes(self) -> list[Process]:
        """This stack's processes, from the one definition (core/processes.py)."""
        return processes(self.profile, self.environment())

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
        base_env: dict[str, str] | None = None,
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
            base_env: The environment the processes inherit (default: `os.environ`).
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
                base_env=dict(base_env) if base_env is not None else None,
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
        env = dict(os.environ if self.base_env is None else self.base_env)
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
