"""Starting the stack for a load run: embedded (one process each, SQLite) or production.

Production = several Rasa replicas, PostgreSQL for the back office and the tracker store, Redis
lock store (testkit/stack.py, ``LiveStack.start(profile="production", rasa_replicas=N)``).

Load runs send every citizen's messages from 127.0.0.1, so the per-IP and per-sender rate limits
of ``/api/chat`` are switched off for them (`LOAD_ENV`); every table says so.
"""

from __future__ import annotations

import inspect
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from core.settings import PROJECT_ROOT
from testkit.stack import LiveStack
from testkit.stack_basics import APP_PYTHON

PROFILES = ("embedded", "production")
LOAD_ENV = {"RATE_LIMIT_PER_IP_PER_MINUTE": "0", "RATE_LIMIT_PER_SENDER_PER_MINUTE": "0"}
RATE_LIMIT_NOTE = (
    "rate limits of /api/chat off for the run (RATE_LIMIT_PER_IP_PER_MINUTE=0, "
    "RATE_LIMIT_PER_SENDER_PER_MINUTE=0): every simulated citizen sends from 127.0.0.1"
)
DESK_USERNAME = "bench-agent"
DESK_DISPLAY_NAME = "bench"


class ProfileUnavailableError(RuntimeError):
    """The stack cannot start this profile (testkit/stack.py lacks it)."""


def production_supported() -> bool:
    """True when testkit/stack.py can start the production profile."""
    return "profile" in inspect.signature(LiveStack.start).parameters


@contextmanager
def start_profile(profile: str, *, model: Path | None, replicas: int) -> Iterator[LiveStack]:
    """Start the stack of `profile` with the load environment, and stop it on exit.

    Raises:
        ProfileUnavailableError: Production asked for but testkit/stack.py cannot start it.
    """
    if profile == "embedded":
        with LiveStack.start(model=model, extra_env=LOAD_ENV) as stack:
            yield stack
        return
    if profile != "production":
        raise ValueError(f"unknown profile {profile!r}; use one of {PROFILES}")
    if not production_supported():
        raise ProfileUnavailableError(
            "testkit/stack.py cannot start the production profile yet "
            "(LiveStack.start has no `profile` / `rasa_replicas` parameters)"
        )
    options: dict[str, Any] = {"profile": "production", "rasa_replicas": replicas}
    with LiveStack.start(model=model, extra_env=LOAD_ENV, **options) as stack:
        yield stack


def open_desk(stack: LiveStack) -> None:
    """Create a staff account, log in and switch on extra duty: handoffs queue at any hour.

    The account is created with the staff CLI against the stack's own database (production
    seeds no development accounts).
    """
    password = secrets.token_urlsafe(16)
    created = subprocess.run(
        [str(APP_PYTHON), "-m", "backoffice.staff.cli", "add",
         DESK_USERNAME, DESK_DISPLAY_NAME, "--password-stdin"],
        input=password + "\n", cwd=PROJECT_ROOT, env=stack.environment(),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if created.returncode != 0:
        raise RuntimeError(f"backoffice.staff.cli add failed:\n{created.stdout}\n{created.stderr}")
    with httpx.Client(base_url=stack.web_url, timeout=30) as client:
        login = client.post(
            "/api/handoff/login", json={"username": DESK_USERNAME, "password": password}
        )
        login.raise_for_status()
        client.post("/api/handoff/duty", json={"on": True}).raise_for_status()


def save_logs(stack: LiveStack, directory: Path | None, label: str) -> None:
    """Copy the processes' logs to `directory`/`label`/ (nothing when no directory is given)."""
    if directory is None:
        return
    target = directory / label
    target.mkdir(parents=True, exist_ok=True)
    for log in stack.log_dir.glob("*.log"):
        shutil.copy(log, target / log.name)
    print(f"  logs of {label}: {target}")
