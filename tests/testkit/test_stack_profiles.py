"""The test stack's process layout per profile (no process is started here)."""

from __future__ import annotations

from pathlib import Path

from testkit.stack import LiveStack
from testkit.stack_basics import ProductionBackends

BACKENDS = ProductionBackends(
    database_url="postgresql+psycopg://postgres@127.0.0.1:5432/mz_test_office",
    tracker_database_url="postgresql+psycopg://postgres@127.0.0.1:5432/mz_test_tracker",
    redis_url="redis://127.0.0.1:6379/0",
    redis_key_prefix="mztestabc123",
)


def production_stack(tmp_path: Path) -> LiveStack:
    return LiveStack(
        workdir=tmp_path,
        rasa_port=7001,
        actions_port=7100,
        web_port=7200,
        model=tmp_path / "model.tar.gz",
        profile="production",
        rasa_ports=[7001, 7002],
        web_workers=2,
        backends=BACKENDS,
        extra_env={"REDIS_KEY_PREFIX": "mztestabc123"},
    )


def test_embedded_stack_is_unchanged(tmp_path: Path) -> None:
    stack = LiveStack(
        workdir=tmp_path, rasa_port=7001, actions_port=7100, web_port=7200, model=tmp_path / "m"
    )
    assert stack.process_names == ["rasa", "actions", "web"]
    assert stack.rasa_urls == [stack.rasa_url] == ["http://127.0.0.1:7001"]
    assert "bot/endpoints.yml" in stack.command("rasa")
    assert stack.command("web")[-4:] == ["--host", "127.0.0.1", "--port", "7200"]
    env = stack.environment()
    assert env["DATABASE_URL"].startswith("sqlite:///")
    assert (env["PROFILE"], env["RASA_URLS"], env["REDIS_URL"]) == ("embedded", "", "")


def test_production_stack_has_one_process_per_replica(tmp_path: Path) -> None:
    stack = production_stack(tmp_path)
    assert stack.process_names == ["rasa-0", "rasa-1", "actions", "web-0", "web-1"]
    assert stack.rasa_urls == ["http://127.0.0.1:7001", "http://127.0.0.1:7002"]
    rasa_1 = stack.command("rasa-1")
    assert rasa_1[rasa_1.index("--port") + 1] == "7002"
    assert rasa_1[rasa_1.index("--endpoints") + 1] == "bot/endpoints.production.yml"
    assert stack.command("web-0") == stack.command("web-1")
    assert stack.process("web-1").argv_on_fd(0)[-2:] == ["--fd", "0"]
    assert stack.health_urls()["rasa-1"] == (
        f"http://127.0.0.1:7002/status?token={stack.production_secrets['RASA_TOKEN']}"
    )


def test_production_environment_points_at_the_stacks_own_backends(tmp_path: Path) -> None:
    env = production_stack(tmp_path).environment()
    assert env["PROFILE"] == "production"
    assert env["DATABASE_URL"] == BACKENDS.database_url
    assert env["RASA_URLS"] == "http://127.0.0.1:7001,http://127.0.0.1:7002"
    assert env["REDIS_URL"] == BACKENDS.redis_url
    assert env["RASA_TRACKER_DB_NAME"] == "mz_test_tracker"
    assert env["RASA_TRACKER_DB_HOST"] == "127.0.0.1"
    assert env["RASA_LOCK_REDIS_PORT"] == "6379"
    assert env["REDIS_KEY_PREFIX"] == "mztestabc123"
    for secret in ("SERVICE_TOKEN", "EDITOR_TOKEN", "HANDOFF_SESSION_SECRET"):
        assert len(env[secret]) >= 32
    assert len({env["SERVICE_TOKEN"], env["EDITOR_TOKEN"], env["HANDOFF_SESSION_SECRET"]}) == 3
