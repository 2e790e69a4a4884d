"""`rasa run` with its HTTP API behind `RASA_TOKEN` (Rasa 3.6, Python 3.10).

Rasa takes its API token only as `--auth-token` on the command line. core/processes.py starts
`python -m bot_plugins.rasa_run run ...` instead of `rasa run ...`: the token is read from the
environment here and added to Rasa's own arguments, so it is in no Procfile, supervisord or
systemd file. Without a token Rasa is not started at all (its API would show every conversation).
Standard library only besides Rasa itself, which is run as `python -m rasa` would run it.
"""

from __future__ import annotations

import os
import runpy
import sys


def rasa_arguments(argv: list[str], token: str) -> list[str]:
    """Rasa's command line: `argv` (without the program) plus the token."""
    return ["rasa", *argv, "--auth-token", token]


def main() -> None:
    """Run Rasa with `--auth-token $RASA_TOKEN`; exit 2 when the token is missing."""
    token = os.environ.get("RASA_TOKEN", "").strip()
    if not token:
        sys.stderr.write("RASA_TOKEN is empty: refusing to start Rasa's HTTP API without a token\n")
        sys.exit(2)
    sys.argv = rasa_arguments(sys.argv[1:], token)
    runpy.run_module("rasa", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
