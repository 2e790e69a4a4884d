"""The bare-Rasa anchor of `make bench`: a small Chinese Rasa 3.6 model with one custom action.

bench/anchor_bot/ holds its config, domain and training data (five intents, JiebaTokenizer, DIET and
TED as the project uses them); bench/anchor_actions.py its one custom action. `anchor_model()`
trains it once into a cache directory (keyed by a hash of those files, never models/), and
`AnchorStack.start()` runs it the way Rasa is run out of the box: `rasa run` with the REST
channel, in-memory tracker and lock stores, and rasa-sdk's own action server, both from the
project's environments (.venv-rasa, .venv).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from core.settings import PROJECT_ROOT
from testkit.stack_basics import APP_PYTHON, RASA_BIN, StackError, free_port

ANCHOR_DIR = Path(__file__).resolve().parent / "anchor_bot"
ACTIONS_FILE = Path(__file__).resolve().parent / "anchor_actions.py"
CACHE_VARIABLE = "BENCH_ANCHOR_CACHE"
TRAIN_TIMEOUT_SECONDS = 1800.0
START_TIMEOUT_SECONDS = 300.0


def anchor_files() -> list[Path]:
    """Every file the anchor model is trained from, in a fixed order."""
    return [
        ANCHOR_DIR / "config.yml",
        ANCHOR_DIR / "domain.yml",
        *sorted((ANCHOR_DIR / "data").glob("*.yml")),
    ]


def anchor_fingerprint() -> str:
    """A short hash of the anchor's config, domain and data (a new one trains a new model)."""
    digest = hashlib.sha256()
    for path in anchor_files():
        digest.update(path.relative_to(ANCHOR_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    """Where the anchor model is kept between runs (`$BENCH_ANCHOR_CACHE` or ~/.cache/...)."""
    configured = os.environ.get(CACHE_VARIABLE)
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / "minzheng-bench" / "anchor"


def anchor_model() -> Path:
    """The trained anchor model, training it first when its files changed (or never trained)."""
    out = cache_dir() / anchor_fingerprint()
    model = out / "anchor.tar.gz"
    if model.exists():
        return model
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    result = subprocess.run(
        [
            str(RASA_BIN),
            "train",
            "--config",
            str(ANCHOR_DIR / "config.yml"),
            "--domain",
            str(ANCHOR_DIR / "domain.yml"),
            "--data",
            str(ANCHOR_DIR / "data"),
            "--out",
            str(out),
            "--fixed-model-name",
            "anchor",
        ],
        cwd=out,  # Rasa's training cache (.rasa/) lands here, not in the project
        env={**os.environ, "RASA_CACHE_DIRECTORY": str(out / ".rasa-cache")},
        capture_output=True,
        text=True,
        timeout=TRAIN_TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0 or not model.exists():
        raise StackError(f"training the anchor failed:\n{result.stdout[-3000:]}{result.stderr}")
    print(f"anchor model trained in {time.monotonic() - started:.0f} s: {model}")
    return model


@dataclass
class AnchorStack:
    """The anchor's Rasa server and action server, each a child process."""

    workdir: Path
    rasa_port: int
    actions_port: int
    token: str
    children: dict[str, subprocess.Popen[bytes]]

    @property
    def rasa_url(self) -> str:
        """Base URL of the anchor's Rasa server."""
        return f"http://127.0.0.1:{self.rasa_port}"

    @classmethod
    @contextlib.contextmanager
    def start(cls, model: Path) -> Iterator[AnchorStack]:
        """Start the anchor on free ports; stop it on exit."""
        with tempfile.TemporaryDirectory(prefix="minzheng-anchor-") as tmp:
            stack = cls(Path(tmp), free_port(), free_port(), secrets.token_hex(16), {})
            try:
                stack._spawn("actions", stack._actions_argv(), cwd=PROJECT_ROOT)
                stack._spawn("rasa", stack._rasa_argv(model), cwd=stack.workdir)
                stack._wait_until_ready()
                yield stack
            finally:
                stack.stop()

    def _actions_argv(self) -> list[str]:
        return [
            str(APP_PYTHON),
            "-W",
            "ignore::UserWarning",
            "-m",
            "rasa_sdk",
            "--actions",
            "bench.anchor_actions",
            "--port",
            str(self.actions_port),
        ]

    def _rasa_argv(self, model: Path) -> list[str]:
        return [
            str(RASA_BIN),
            "run",
            "--enable-api",
            "--auth-token",
            self.token,
            "--model",
            str(model),
            "--endpoints",
            str(ANCHOR_DIR / "endpoints.yml"),
            "--credentials",
            str(ANCHOR_DIR / "credentials.yml"),
            "--interface",
            "127.0.0.1",
            "--port",
            str(self.rasa_port),
        ]

    def _spawn(self, name: str, argv: list[str], *, cwd: Path) -> None:
        env = {
            **os.environ,
            "ANCHOR_ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.actions_port}/webhook",
            "PYTHONUNBUFFERED": "1",
        }
        log = (self.workdir / f"{name}.log").open("ab")
        self.children[name] = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def log(self, name: str) -> str:
        """The last lines process `name` printed."""
        path = self.workdir / f"{name}.log"
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-40:])

    def _wait_until_ready(self) -> None:
        urls = {
            "actions": f"http://127.0.0.1:{self.actions_port}/health",
            "rasa": f"{self.rasa_url}/status?token={self.token}",
        }
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while urls:
            for name, url in list(urls.items()):
                if self.children[name].poll() is not None:
                    raise StackError(f"anchor {name} exited early:\n{self.log(name)}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(url, timeout=2.0).status_code == httpx.codes.OK:
                        del urls[name]
            if time.monotonic() > deadline:
                raise StackError(f"anchor not ready: {sorted(urls)}")
            time.sleep(0.5)

    def stop(self) -> None:
        """Stop both processes (SIGTERM, then SIGKILL)."""
        for popen in self.children.values():
            if popen.poll() is None:
                popen.terminate()
        for popen in self.children.values():
            try:
                popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait(timeout=10)
