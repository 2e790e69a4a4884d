"""Runs `rasa data validate` and fails on any warning it prints.

Rasa's validator cannot see inside custom actions, so it reports responses that only an action
utters (`dispatcher.utter_message(response="utter_x")`) as "not used in any story or rule". Those
warnings are accepted when the response really is uttered by an action under actions/ (or by Rasa
itself: `utter_restart`, forms' `utter_ask_*`), or when an action builds its name from a prefix
found in its source (`"utter_confirm_"` + intent); every other warning fails the check.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
ARGS = ["data", "validate", "--config", "config.yml", "--domain", "bot/domain"]
ARGS += ["--data", "bot/data", "nlu_data", "--fail-on-warnings"]
UNUSED = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule\.")
WARNING = re.compile(r"UserWarning: (.*)")
ACTION_RESPONSE = re.compile(r"""["'](utter_\w+)["']""")
RASA_OWN = {"utter_restart"}


def responses_uttered_by_actions() -> set[str]:
    """Names of responses that the custom actions utter, found in their source."""
    names: set[str] = set()
    for path in (ROOT / "actions").rglob("*.py"):
        names.update(ACTION_RESPONSE.findall(path.read_text(encoding="utf-8")))
    return names


def main() -> int:
    """Run the validator and report the warnings that are real problems."""
    result = subprocess.run(
        [str(RASA), *ARGS], cwd=ROOT, capture_output=True, text=True, check=False
    )
    output = result.stdout + result.stderr
    accepted = responses_uttered_by_actions() | RASA_OWN
    prefixes = (*(name for name in accepted if name.endswith("_")), "utter_ask_")
    problems = []
    for warning in WARNING.findall(output):
        unused = UNUSED.search(warning)
        if unused and (unused.group(1) in accepted or unused.group(1).startswith(prefixes)):
            continue
        problems.append(warning.strip())
    errors = [line for line in output.splitlines() if " ERROR " in line]
    for line in problems + errors:
        print(f"  {line}")
    if problems or errors:
        print(f"rasa data validate: {len(problems)} warning(s), {len(errors)} error(s)")
        return 1
    if result.returncode != 0 and not re.search(r"UserWarning", output):
        print(output[-3000:])
        return result.returncode
    print("rasa data validate: no warnings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
