"""Create or update a staff account: `python -m backoffice.staff.cli add ...`.

The password is read from the terminal (or `--password-stdin`), never from the command line.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from backoffice.db import get_session_factory
from backoffice.staff.models import AGENT, SUPERVISOR
from backoffice.staff.service import upsert_staff


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m backoffice.staff.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create or update a staff account")
    add.add_argument("username")
    add.add_argument("display_name", help="shown to citizens, e.g. 小王 (not the full name)")
    add.add_argument("--role", choices=[AGENT, SUPERVISOR], default=AGENT)
    add.add_argument("--password-stdin", action="store_true")
    args = parser.parse_args(argv)
    password = sys.stdin.readline().strip() if args.password_stdin else getpass.getpass()
    if not 10 <= len(password.encode("utf-8")) <= 72:
        print("password must be 10 to 72 bytes", file=sys.stderr)
        return 2
    row = {
        "username": args.username,
        "display_name": args.display_name,
        "role": args.role,
        "password": password,
    }
    with get_session_factory()() as session:
        upsert_staff(session=session, rows=[row])
    print(f"staff {args.username} saved")
    return 0


if __name__ == "__main__":
    sys.exit(main())
