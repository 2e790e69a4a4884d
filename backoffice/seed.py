"""Seed the database with every feature's reference data: `python -m backoffice.seed`.

Seeders are idempotent (upserts by natural key), so this runs on every `make run`.
"""

from __future__ import annotations

from backoffice.db import get_session_factory
from backoffice.features import seeders


def seed_all() -> list[str]:
    """Run every feature's seeder in one session; returns one summary line per seeder."""
    with get_session_factory()() as session:
        return [seeder(session) for seeder in seeders()]


def main() -> None:
    """Entry point for `python -m backoffice.seed`."""
    for line in seed_all():
        print(f"  seeded {line}")


if __name__ == "__main__":
    main()
