"""The one definition of the assistant's processes: each one's command line and environment.

Every way of running the assistant starts what this module returns, so they cannot drift:

- `make run` (embedded, honcho): the Procfile is generated from it;
- `make run-production`: the supervisord config and the systemd units are generated from it
  (`python -m core.process_configs supervisord|systemd ...`);
- testkit/stack.py (tests and benches) starts the same command lines on free ports;
- deploy/kubernetes/ is generated from it (and checked against it in the tests).

    for process in processes("production", os.environ):
        subprocess.Popen(process.argv, env={**os.environ, **process.env}, cwd=PROJECT_ROOT)

Command lines are relative to the project root (`.venv/bin/python`, `.venv-rasa/bin/rasa`); the
container image keeps the same layout under /app.

Variables read from `environ` (all optional; the defaults are the ones of `make run`):

| variable | default | what |
| --- | --- | --- |
| `RASA_PORT` | 5005 | first Rasa port; replica i listens on RASA_PORT + i |
| `RASA_PORTS` | | comma-separated ports, one per replica (overrides RASA_PORT/RASA_REPLICAS) |
| `RASA_HOST` | 127.0.0.1 | interface Rasa listens on |
| `RASA_TOKEN` | | Rasa's API token (required: bot_plugins/rasa_run.py refuses to start without) |
| `RASA_REPLICAS` | 2 (production) | Rasa servers |
| `RASA_MODEL` | models | model file or directory |
| `ACTIONS_PORT` | 5055 | action server port |
| `ACTION_SERVER_HOST` | 127.0.0.1 | interface the action server listens on |
| `ACTION_WORKERS` | 2 (production) | Sanic workers of the action server |
| `WEB_HOST`, `WEB_PORT` | 127.0.0.1, 8000 | where the web app listens (0.0.0.0: every interface) |
| `WEB_WORKERS` | 2 (production) | web worker processes sharing WEB_HOST:WEB_PORT |
| `TELEGRAM_BOT_TOKEN`, `TELEGRAM_MODE` | | the Telegram polling worker runs when a token is set |

The URLs the processes use to reach each other (`RASA_URL`, `RASA_URLS`, `ACTION_SERVER_URL`,
`ACTION_ENDPOINT_URL`, `BACKOFFICE_URL`) are derived from the ports unless already set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from core.production_env import production_env
from core.settings import PROJECT_ROOT

Profile = Literal["embedded", "production"]
Kind = Literal["rasa", "actions", "web", "telegram"]
# Every process listens here unless a *_HOST variable says otherwise (README "默认即安全").
LOOPBACK = "127.0.0.1"
PROFILES: tuple[Profile, ...] = ("embedded", "production")

# Rasa runs through bot_plugins/rasa_run.py, which adds `--auth-token $RASA_TOKEN` itself (the
# token stays out of every generated Procfile / supervisord / systemd file).
RASA = (".venv-rasa/bin/python", "-m", "bot_plugins.rasa_run")
PYTHON = ".venv/bin/python"
# rasa-sdk 3.21 speaks the action protocol of Rasa 3.6 (checked: library_notes.md) but warns that
# the minor versions differ; silence exactly that warning.
RASA_SDK_VERSION_WARNING = (
    "ignore:Your versions of rasa and rasa_sdk might not be compatible:UserWarning"
)
ENDPOINTS = {"embedded": "bot/endpoints.yml", "production": "bot/endpoints.production.yml"}
# Where each kind answers 200 once it serves (readiness; Rasa's /status only once its model is
# loaded), and while it is alive at all (liveness: Rasa's / answers from the moment it listens).
READY_PATHS: dict[Kind, str] = {"rasa": "/status", "actions": "/health", "web": "/health"}
LIVE_PATHS: dict[Kind, str] = {"rasa": "/", "actions": "/health", "web": "/health"}
PRODUCTION_DEFAULTS = {"RASA_REPLICAS": "2", "WEB_WORKERS": "2", "ACTION_WORKERS": "2"}


class ProcessDefinitionError(ValueError):
    """The environment asks for a layout that cannot run (bad port, replica count ...)."""


@dataclass(frozen=True)
class Process:
    """One process of the assistant.

    Attributes:
        name: Unique name: rasa, actions, web, telegram (embedded); rasa-0 ..., web-0 ...
            (production: one per Rasa replica and per web worker).
        kind: What it runs: rasa, actions, web or telegram.
        program: The command line without the listening address.
        bind: The arguments that make it listen on `host`:`port` (empty for telegram).
        host: Interface it listens on ("" for telegram).
        port: TCP port it listens on (0 for telegram). Web workers share one port.
        env: Variables it needs on top of the caller's environment.
    """

    name: str
    kind: Kind
    program: tuple[str, ...]
    bind: tuple[str, ...] = ()
    host: str = ""
    port: int = 0
    env: Mapping[str, str] = field(default_factory=dict)
    # Rasa's API token, for its readiness route (/status needs it); never rendered anywhere.
    health_token: str = field(default="", repr=False)

    @property
    def argv(self) -> list[str]:
        """The full command line (listening on host:port itself)."""
        return [*self.program, *self.bind]

    def argv_on_fd(self, fd: int) -> list[str]:
        """The command line of a web worker serving a listening socket it inherits as `fd`.

        Several workers then share one socket (supervisord's fcgi-program, systemd's socket
        unit): when one dies the socket stays open and the others go on accepting.
        """
        if self.kind != "web":
            raise ProcessDefinitionError(f"{self.name} cannot serve an inherited socket")
        return [*self.program, "--fd", str(fd)]

    @property
    def health_path(self) -> str | None:
        """Path that answers 200 when it serves (None: no HTTP server)."""
        return READY_PATHS.get(self.kind)

    @property
    def live_path(self) -> str | None:
        """Path that answers 200 while it runs, even before it serves (None: no HTTP server)."""
        return LIVE_PATHS.get(self.kind)

    @property
    def health_url(self) -> str | None:
        """URL of the health check, from the same machine."""
        path = self.health_path
        if not path:
            return None
        query = f"?token={self.health_token}" if self.health_token else ""
        return f"http://127.0.0.1:{self.port}{path}{query}"


def _number(environ: Mapping[str, str], name: str, default: str, *, minimum: int = 1) -> int:
    raw = environ.get(name) or default
    if not raw.isdigit() or int(raw) < minimum:
        raise ProcessDefinitionError(f"{name} must be a whole number >= {minimum}, got {raw!r}")
    return int(raw)


def _settings(profile: Profile, environ: Mapping[str, str]) -> dict[str, str]:
    defaults = PRODUCTION_DEFAULTS if profile == "production" else {}
    return {**defaults, **{k: v for k, v in environ.items() if v}}


def rasa_ports(profile: Profile, environ: Mapping[str, str]) -> list[int]:
    """One port per Rasa server (embedded: one)."""
    settings = _settings(profile, environ)
    if settings.get("RASA_PORTS"):
        ports = [p.strip() for p in settings["RASA_PORTS"].split(",")]
        if not all(p.isdigit() for p in ports):
            raise ProcessDefinitionError(f"RASA_PORTS must be port numbers, got {ports}")
        return [int(p) for p in ports] if profile == "production" else [int(ports[0])]
    first = _number(settings, "RASA_PORT", "5005")
    replicas = _number(settings, "RASA_REPLICAS", "1") if profile == "production" else 1
    return [first + index for index in range(replicas)]


def telegram_polling(environ: Mapping[str, str]) -> bool:
    """True when the Telegram polling worker runs (a bot token, not in webhook mode)."""
    mode = environ.get("TELEGRAM_MODE") or "polling"
    return bool(environ.get("TELEGRAM_BOT_TOKEN")) and mode == "polling"


def environment(profile: Profile, environ: Mapping[str, str]) -> dict[str, str]:
    """Variables every process of `profile` shares, derived from `environ` (set ones are kept).

    Production adds the tracker- and lock-store variables of bot/endpoints.production.yml
    (core/production_env.py), so it needs DATABASE_URL and REDIS_URL.
    """
    settings = _settings(profile, environ)
    rasa_host = settings.get("RASA_HOST", LOOPBACK)
    local = LOOPBACK if rasa_host in ("0.0.0.0", "::") else rasa_host
    rasa_urls = [f"http://{local}:{port}" for port in rasa_ports(profile, environ)]
    actions_url = settings.get(
        "ACTION_SERVER_URL", f"http://{LOOPBACK}:{_number(settings, 'ACTIONS_PORT', '5055')}"
    )
    derived = {
        "PROFILE": profile,
        "RASA_URL": settings.get("RASA_URL", rasa_urls[0]),
        "ACTION_SERVER_URL": actions_url,
        "ACTION_ENDPOINT_URL": settings.get("ACTION_ENDPOINT_URL", f"{actions_url}/webhook"),
        "BACKOFFICE_URL": settings.get(
            "BACKOFFICE_URL", f"http://{LOOPBACK}:{_number(settings, 'WEB_PORT', '8000')}"
        ),
        "PYTHONUNBUFFERED": "1",
    }
    if profile == "embedded":
        derived["RASA_TRACKER_DB"] = settings.get(
            "RASA_TRACKER_DB", str(PROJECT_ROOT / "var" / "rasa_tracker.db")
        )
        return derived
    return {
        **derived,
        "RASA_URLS": settings.get("RASA_URLS", ",".join(rasa_urls)),
        # rasa-sdk reads its number of Sanic worker processes from this variable.
        "ACTION_SERVER_SANIC_WORKERS": str(_number(settings, "ACTION_WORKERS", "2")),
        **production_env(environ),
    }


def rasa(profile: Profile, settings: Mapping[str, str], env: dict[str, str]) -> list[Process]:
    """The Rasa servers: one per port of `rasa_ports`."""
    host = settings.get("RASA_HOST", LOOPBACK)
    program = [*RASA, "run", "--enable-api", "--model", settings.get("RASA_MODEL", "models")]
    program += ["--endpoints", ENDPOINTS[profile], "--credentials", "bot/credentials.yml"]
    return [
        Process(
            name=f"rasa-{index}" if profile == "production" else "rasa",
            kind="rasa",
            program=tuple(program),
            bind=("--interface", host, "--port", str(port)),
            host=host,
            port=port,
            env=env,
            health_token=settings.get("RASA_TOKEN", ""),
        )
        for index, port in enumerate(rasa_ports(profile, settings))
    ]


def actions(settings: Mapping[str, str], env: dict[str, str]) -> Process:
    """The action server (its Sanic workers: ACTION_SERVER_SANIC_WORKERS in `env`)."""
    port = _number(settings, "ACTIONS_PORT", "5055")
    host = settings.get("ACTION_SERVER_HOST", LOOPBACK)
    # rasa-sdk's server with the token check and the interface option (actions/server.py).
    program = [
        PYTHON,
        "-W",
        RASA_SDK_VERSION_WARNING,
        "-m",
        "actions.server",
        "--actions",
        "actions",
    ]
    return Process(
        name="actions",
        kind="actions",
        program=tuple(program),
        bind=("--host", host, "--port", str(port)),
        host=host,
        port=port,
        env=env,
    )


def web(profile: Profile, settings: Mapping[str, str], env: dict[str, str]) -> list[Process]:
    """The web workers (production: WEB_WORKERS processes sharing one listening socket)."""
    host = settings.get("WEB_HOST", LOOPBACK)
    port = _number(settings, "WEB_PORT", "8000")
    production = profile == "production"
    workers = _number(settings, "WEB_WORKERS", "1") if production else 1
    return [
        Process(
            name=f"web-{index}" if production else "web",
            kind="web",
            program=(PYTHON, "-m", "uvicorn", "web.main:app"),
            bind=("--host", host, "--port", str(port)),
            host=host,
            port=port,
            env=env,
        )
        for index in range(workers)
    ]


def telegram(env: dict[str, str]) -> Process:
    """The Telegram polling worker (no HTTP server)."""
    return Process(
        name="telegram", kind="telegram", program=(PYTHON, "-m", "connectors.telegram"), env=env
    )


def processes(profile: Profile, environ: Mapping[str, str]) -> list[Process]:
    """Every process of `profile`, in start order: Rasa servers, action server, web, telegram."""
    settings = _settings(profile, environ)
    env = environment(profile, environ)
    result = [*rasa(profile, settings, env), actions(settings, env), *web(profile, settings, env)]
    if telegram_polling(environ):
        result.append(telegram(env))
    return result
