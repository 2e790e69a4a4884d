"""What every live stack needs before it starts: free ports, the trained model, fresh backends.

`testkit.stack.LiveStack` starts the processes; importers take the names here from this module.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core.settings import PROJECT_ROOT

RASA_BIN = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
APP_PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"
SUPERVISORD = PROJECT_ROOT / ".venv" / "bin" / "supervisord"
MODELS_DIR = PROJECT_ROOT / "models"
MODELS_DIR_VARIABLE = "STACK_MODELS_DIR"
# On a 2-core machine shared with other stacks loading their models, one Rasa took over 300 s to
# load (2026-12-07, load average 9-12); alone it takes 20-40 s.
START_TIMEOUT_SECONDS = 600.0
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
