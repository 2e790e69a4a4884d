"""Run a short check script inside Rasa's own environment (``.venv-rasa``, Python 3.10).

The plug-ins in ``bot_plugins/`` run inside Rasa; tests in the app environment check them by
running a script with Rasa's interpreter from the project root and reading its last output line.
"""

from __future__ import annotations

import subprocess

from core.settings import PROJECT_ROOT

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
TIMEOUT_SECONDS = 300


def run_in_rasa(script: str, *args: str, stdin: str | None = None) -> str:
    """Run `script` with `args` under Rasa's Python; its last line of output.

    Raises:
        AssertionError: The script failed (the end of its error output is the message).
    """
    result = subprocess.run(
        [str(RASA_PYTHON), "-c", script, *args],
        input=stdin,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(result.stderr[-3000:])
    return result.stdout.strip().splitlines()[-1]
