"""Random secrets of a local installation, kept in one owner-only file outside the repository.

`make run` (scripts/run.sh) calls `python -m core.local_secrets --exports` before starting the
processes: the first time it writes a random value for every name in `SECRET_NAMES` to
`secrets_file()` (mode 0600, created atomically), later it reads them back; it prints `export`
lines for the names the environment (or `.env`) does not set already, so an operator's own value
always wins. Every process therefore starts with a service token, a session secret, an editor
token, a sealing key, Rasa's API token and the action server's token: nothing is open because
a variable was left empty.

The file is `$MINZHENG_SECRETS_FILE`, else `$XDG_CONFIG_HOME/minzheng/secrets.env`, else
`~/.config/minzheng/secrets.env`: outside the checkout, so it is never committed or copied with
the code. The production profile does not use it: there every secret comes from the environment
and `core.secrets_check` (run by `python -m backoffice.secrets`) refuses weak ones.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shlex
import stat
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from cryptography.fernet import Fernet

OWNER_ONLY = 0o600


def _token() -> str:
    return secrets.token_urlsafe(32)


def _fernet_key() -> str:
    return Fernet.generate_key().decode("ascii")


# Every secret `make run` provides, and how a fresh one is made.
SECRET_NAMES: dict[str, Callable[[], str]] = {
    "SERVICE_TOKEN": _token,
    "HANDOFF_SESSION_SECRET": _token,
    "EDITOR_TOKEN": _token,
    "SLOT_SEALING_KEY": _fernet_key,
    "RASA_TOKEN": _token,
    "ACTION_SERVER_TOKEN": _token,
}


def secrets_file(environ: Mapping[str, str] | None = None) -> Path:
    """Where the local secrets live (never inside the repository)."""
    env = os.environ if environ is None else environ
    explicit = env.get("MINZHENG_SECRETS_FILE", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    config_home = env.get("XDG_CONFIG_HOME", "").strip()
    base = Path(config_home).expanduser() if config_home else Path.home() / ".config"
    return base / "minzheng" / "secrets.env"


def _parse(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        name, separator, value = line.strip().partition("=")
        if separator and not name.startswith("#"):
            values[name.strip()] = value.strip()
    return values


def _write_atomically(path: Path, values: Mapping[str, str]) -> None:
    lines = ["# 民政智能助手: random secrets of this installation (core/local_secrets.py)."]
    lines += [f"{name}={value}" for name, value in values.items()]
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OWNER_ONLY)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    os.replace(draft, path)


def ensure_local_secrets(path: Path | None = None) -> dict[str, str]:
    """Every secret of `SECRET_NAMES`, read from `path`; missing ones are created and saved.

    The file and its directory are made owner-only (0600 / 0700) whenever they are read.
    """
    path = path or secrets_file()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Processes starting together must agree on one value: one writer at a time.
    lock = os.open(path.with_name(f".{path.name}.lock"), os.O_WRONLY | os.O_CREAT, OWNER_ONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        values = _parse(path.read_text(encoding="utf-8")) if path.exists() else {}
        missing = [name for name in SECRET_NAMES if not values.get(name)]
        if missing:
            for name in missing:
                values[name] = SECRET_NAMES[name]()
            _write_atomically(path, values)
        if stat.S_IMODE(path.stat().st_mode) != OWNER_ONLY:
            path.chmod(OWNER_ONLY)
    finally:
        os.close(lock)
    return {name: values[name] for name in SECRET_NAMES}


def local_secret(name: str) -> str:
    """One secret of this installation (created on first use)."""
    return ensure_local_secrets()[name]


def exports(environ: Mapping[str, str], values: Mapping[str, str]) -> str:
    """Shell `export` lines for the secrets `environ` does not set to a non-empty value."""
    return "".join(
        f"export {name}={shlex.quote(value)}\n"
        for name, value in values.items()
        if not environ.get(name, "").strip()
    )


def main(argv: list[str]) -> int:
    """`--exports`: print the export lines; otherwise print the file's path."""
    path = secrets_file()
    values = ensure_local_secrets(path)
    if "--exports" in argv:
        sys.stdout.write(exports(os.environ, values))
    else:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
