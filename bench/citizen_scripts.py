"""The conversations the simulated citizens have (``bench/load_scripts/``) and who they are.

Each conversation is drawn by weight; its script's ``vars`` (ID numbers, phone, booking day) get
values unique to it, so concurrent bookings never collide.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path

from backoffice.records.marriage.bookable import bookable_days
from backoffice.records.marriage.policy import get_policy
from testkit.script_format import LoadedScript, load_script
from zhtext.city_time import city_today
from zhtext.idcard import check_digit

SCRIPTS_DIR = Path(__file__).resolve().parent / "load_scripts"
# How often each script is picked (a citizen's next conversation is drawn with these weights).
SCRIPT_WEIGHTS = {
    "marriage_booking": 25,
    "knowledge_questions": 25,
    "prescreen_dibao": 20,
    "donation_pledge": 15,
    "handoff_message": 15,
}


class Identities:
    """Unique, valid personal data for each simulated conversation."""

    def __init__(self, *, seed: int) -> None:
        self._counter = itertools.count(1)
        self._random = random.Random(seed)
        # A run id keeps phones unique across runs on the same database too.
        self._run = self._random.randrange(100, 1000)
        today = city_today()
        days = bookable_days(today=today, window=get_policy().booking_window)
        self._day_offsets = [(check.day - today).days for check in days]

    def for_script(self, loaded: LoadedScript) -> dict[str, str]:
        """Values for the script's own `vars` that must differ between citizens."""
        number = next(self._counter)
        values = {
            "phone": f"139{self._run:03d}{number:05d}",
            "groom_id": self._id_number(number, male=True),
            "bride_id": self._id_number(number, male=False),
            "day": f"{{today+{self._random.choice(self._day_offsets)}}}",
        }
        return {name: value for name, value in values.items() if name in loaded.script.vars}

    def _id_number(self, number: int, *, male: bool) -> str:
        born = dt.date(1970, 1, 1) + dt.timedelta(days=self._run * 7 + number // 400)
        sequence = (number % 400) * 2 + (1 if male else 2)  # odd: male, even: female
        first17 = f"330106{born:%Y%m%d}{sequence:03d}"
        return first17 + check_digit(first17)


def load_scripts() -> dict[str, LoadedScript]:
    """The load scripts by name (every one must have a weight)."""
    scripts = {path.stem: load_script(path) for path in sorted(SCRIPTS_DIR.glob("*.yml"))}
    missing = set(scripts) ^ set(SCRIPT_WEIGHTS)
    if missing:
        raise ValueError(f"scripts and SCRIPT_WEIGHTS differ: {sorted(missing)}")
    return scripts
