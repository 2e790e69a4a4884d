"""Environment of the production profile's Rasa replicas, derived from DATABASE_URL and REDIS_URL.

bot/endpoints.production.yml reads the tracker store's and the lock store's connection from
separate variables (Rasa takes host, port, database ... one by one). This module fills every one
that is not set already:

- `RASA_TRACKER_DB_*`: the PostgreSQL server of `DATABASE_URL`, database
  `<back-office database>_rasa` (override with `RASA_TRACKER_DB_NAME`);
- `RASA_LOCK_REDIS_*`: the server and database number of `REDIS_URL`;
- `REDIS_KEY_PREFIX`: default `minzheng` (letters and digits only);
- `TICKET_LOCK_LIFETIME`: seconds a replica holds a conversation's lock in Redis, default 10.
  Rasa's own default is 60: when a replica is killed mid-turn, its lock stays in Redis that long,
  and the citizen's next message waits on the other replica past the gateway's 20 s timeout
  (seen as 503s in `make bench-faults`). A turn takes well under a second, seconds under load.

`python -m core.production_env env` prints them as shell `export` lines (scripts/run_production.sh);
`python -m core.production_env ensure-tracker-db` creates the tracker database when missing.
"""

from __future__ import annotations

import argparse
import os
import shlex
from collections.abc import Mapping

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL

DEFAULT_KEY_PREFIX = "minzheng"
DEFAULT_LOCK_LIFETIME_SECONDS = 10
TRACKER_DB_SUFFIX = "_rasa"


class ProductionEnvError(ValueError):
    """The environment does not describe a production deployment."""


def tracker_db_url(environ: Mapping[str, str]) -> URL:
    """SQLAlchemy URL of the Rasa tracker database (psycopg driver, for our own checks)."""
    database_url = environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgresql"):
        raise ProductionEnvError(
            f"DATABASE_URL must be postgresql+psycopg://..., got {database_url!r}"
        )
    backoffice = make_url(database_url)
    return URL.create(
        "postgresql+psycopg",
        username=environ.get("RASA_TRACKER_DB_USER") or backoffice.username,
        password=environ.get("RASA_TRACKER_DB_PASSWORD") or backoffice.password,
        host=environ.get("RASA_TRACKER_DB_HOST") or backoffice.host or "127.0.0.1",
        port=int(environ.get("RASA_TRACKER_DB_PORT") or backoffice.port or 5432),
        database=environ.get("RASA_TRACKER_DB_NAME") or f"{backoffice.database}{TRACKER_DB_SUFFIX}",
    )


def redis_parts(redis_url: str) -> dict[str, str]:
    """Host, port, database number and password of a `redis://` URL."""
    if not redis_url.startswith(("redis://", "rediss://")):
        raise ProductionEnvError(f"REDIS_URL must be a redis:// URL, got {redis_url!r}")
    url = make_url(redis_url)
    database = (url.database or "0").strip("/") or "0"
    if not database.isdigit():
        raise ProductionEnvError(f"REDIS_URL's database must be a number, got {database!r}")
    return {
        "host": url.host or "127.0.0.1",
        "port": str(url.port or 6379),
        "db": database,
        "password": url.password or "",
    }


def production_env(environ: Mapping[str, str]) -> dict[str, str]:
    """Every variable bot/endpoints.production.yml needs, keeping the ones already set."""
    tracker = tracker_db_url(environ)
    redis = redis_parts(environ.get("REDIS_URL", ""))
    prefix = environ.get("REDIS_KEY_PREFIX") or DEFAULT_KEY_PREFIX
    if not prefix.isalnum():
        raise ProductionEnvError(f"REDIS_KEY_PREFIX must be letters and digits, got {prefix!r}")
    derived = {
        "RASA_TRACKER_DB_HOST": tracker.host or "",
        "RASA_TRACKER_DB_PORT": str(tracker.port),
        "RASA_TRACKER_DB_NAME": tracker.database or "",
        "RASA_TRACKER_DB_USER": tracker.username or "",
        "RASA_TRACKER_DB_PASSWORD": tracker.password or "",
        "RASA_LOCK_REDIS_HOST": redis["host"],
        "RASA_LOCK_REDIS_PORT": redis["port"],
        "RASA_LOCK_REDIS_DB": redis["db"],
        "RASA_LOCK_REDIS_PASSWORD": redis["password"],
        "REDIS_KEY_PREFIX": prefix,
        "TICKET_LOCK_LIFETIME": str(DEFAULT_LOCK_LIFETIME_SECONDS),
    }
    return {name: environ.get(name) or value for name, value in derived.items()}


def ensure_database(url: URL) -> bool:
    """Create `url`'s database on its server unless it exists; True when it was created."""
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            ).first()
            if exists:
                return False
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
            return True
    finally:
        admin.dispose()


def main() -> None:
    """Command line: `env` prints export lines, `ensure-tracker-db` creates the tracker database."""
    parser = argparse.ArgumentParser(prog="python -m core.production_env")
    parser.add_argument("command", choices=["env", "ensure-tracker-db"])
    args = parser.parse_args()
    environ = dict(os.environ)
    try:
        if args.command == "env":
            for name, value in production_env(environ).items():
                print(f"export {name}={shlex.quote(value)}")
        elif ensure_database(tracker_db_url(environ)):
            print(f"created the Rasa tracker database {tracker_db_url(environ).database}")
    except ProductionEnvError as error:
        raise SystemExit(str(error)) from error


if __name__ == "__main__":
    main()
