"""`make status`, and waiting for the production profile to be ready (scripts/run_production.sh).

    python -m core.process_health             # one table; exit 1 when one is down
    python -m core.process_health --wait 600  # until every one answers; prints the time

Each process of core/processes.py is shown with supervisord's state (when it runs under the
supervisord of `--run-dir`) and whether its health route answers 200.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import httpx

from core.processes import PROFILES, Process, Profile, processes

POLL_SECONDS = 1.0
# The health URLs depend only on the ports; without the backends' URLs in this shell (`make
# status` from a fresh terminal) these stand in for them.
STAND_INS = {"DATABASE_URL": "postgresql+psycopg://-@127.0.0.1/-", "REDIS_URL": "redis://127.0.0.1"}


def healthy(process: Process, timeout: float = 2.0) -> bool:
    """True when the process answers 200 on its health route (telegram: not checked, True)."""
    url = process.health_url
    if url is None:
        return True
    try:
        return httpx.get(url, timeout=timeout).status_code == httpx.codes.OK
    except httpx.HTTPError:
        return False


def wait_ready(
    everything: Iterable[Process], timeout: float, *, poll: float = POLL_SECONDS
) -> tuple[float, list[str]]:
    """Block until every process is healthy or `timeout` passes: (seconds, names not ready)."""
    started = time.monotonic()
    pending = {p.name: p for p in everything}
    while pending and time.monotonic() - started < timeout:
        for name, process in list(pending.items()):
            if healthy(process):
                del pending[name]
                print(f"  {name} ready after {time.monotonic() - started:.0f} s", flush=True)
        if pending:
            time.sleep(poll)
    return time.monotonic() - started, sorted(pending)


def supervisor_states(run_dir: Path) -> dict[str, str]:
    """The supervisord state of each process ({} when supervisord is not running there)."""
    from core.supervisor_client import Supervisor  # only when supervisord is asked

    try:
        return {name: s.state for name, s in Supervisor(run_dir).states().items()}
    except OSError:
        return {}


def print_status(profile: Profile, run_dir: Path) -> bool:
    """The status table; True when every process is healthy."""
    states = supervisor_states(run_dir)
    if not states:
        print(f"supervisord is not running ({run_dir}): 'make run-production' starts it")
    everything = processes(profile, {**STAND_INS, **os.environ})
    print(f"{'process':<10} {'supervisord':<12} {'health':<8} url")
    ok = True
    for process in everything:
        up = healthy(process)
        ok &= up
        print(
            f"{process.name:<10} {states.get(process.name, '-'):<12} "
            f"{'ok' if up else 'DOWN':<8} {process.health_url or '-'}"
        )
    return ok


def main() -> None:
    """Entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m core.process_health", description=__doc__)
    parser.add_argument("--profile", choices=PROFILES, default="production")
    parser.add_argument("--run-dir", type=Path, default=Path("var/run"))
    parser.add_argument("--wait", type=float, default=None, help="wait up to this many seconds")
    args = parser.parse_args()
    if args.wait is None:
        sys.exit(0 if print_status(args.profile, args.run_dir) else 1)
    seconds, missing = wait_ready(processes(args.profile, dict(os.environ)), args.wait)
    if missing:
        print(f"not ready after {seconds:.0f} s: {', '.join(missing)} (see var/run/log/)")
        sys.exit(1)
    print(f"民政智能助手 is ready: every process answered after {seconds:.0f} s.")


if __name__ == "__main__":
    main()
