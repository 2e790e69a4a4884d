"""The one process definition and the configs generated from it (no process is started)."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

from core.process_configs import SECRET_VARIABLES, render
from core.processes import ProcessDefinitionError, environment, processes

PRODUCTION = {
    "DATABASE_URL": "postgresql+psycopg://minzheng:pw-db-1234@db.internal:5432/office",
    "REDIS_URL": "redis://:pw-redis-5678@cache.internal:6379/2",
    "RASA_PORT": "6005",
    "WEB_PORT": "9000",
}


def test_embedded_has_one_process_of_each_kind() -> None:
    everything = processes("embedded", {})
    assert [p.name for p in everything] == ["rasa", "actions", "web"]
    rasa, actions, web = everything
    assert rasa.argv[:4] == [".venv-rasa/bin/python", "-m", "bot_plugins.rasa_run", "run"]
    assert rasa.argv[rasa.argv.index("--endpoints") + 1] == "bot/endpoints.yml"
    assert rasa.argv[-4:] == ["--interface", "127.0.0.1", "--port", "5005"]
    assert actions.argv[-4:] == ["--host", "127.0.0.1", "--port", "5055"]
    assert web.argv[-4:] == ["--host", "127.0.0.1", "--port", "8000"]
    assert "--auth-token" not in rasa.argv, "the token is added by bot_plugins/rasa_run.py"
    assert web.health_url == "http://127.0.0.1:8000/health"
    assert environment("embedded", {})["RASA_URL"] == "http://127.0.0.1:5005"


def test_production_has_a_process_per_replica_and_per_web_worker() -> None:
    environ = {**PRODUCTION, "RASA_REPLICAS": "3", "WEB_WORKERS": "2"}
    names = [p.name for p in processes("production", environ)]
    assert names == ["rasa-0", "rasa-1", "rasa-2", "actions", "web-0", "web-1"]
    rasa_2 = processes("production", environ)[2]
    assert rasa_2.port == 6007
    assert rasa_2.argv[rasa_2.argv.index("--endpoints") + 1] == "bot/endpoints.production.yml"
    env = environment("production", environ)
    assert env["RASA_URLS"] == "http://127.0.0.1:6005,http://127.0.0.1:6006,http://127.0.0.1:6007"
    assert env["RASA_TRACKER_DB_HOST"] == "db.internal"
    assert env["RASA_LOCK_REDIS_DB"] == "2"
    assert env["BACKOFFICE_URL"] == "http://127.0.0.1:9000"


def test_telegram_worker_only_with_a_token_in_polling_mode() -> None:
    assert "telegram" not in [p.name for p in processes("embedded", {})]
    token = {"TELEGRAM_BOT_TOKEN": "123:abc"}
    assert processes("embedded", token)[-1].name == "telegram"
    webhook = {**token, "TELEGRAM_MODE": "webhook"}
    assert "telegram" not in [p.name for p in processes("embedded", webhook)]


@pytest.mark.parametrize("bad", [{"RASA_REPLICAS": "0"}, {"WEB_PORT": "http"}])
def test_impossible_layouts_are_refused(bad: dict[str, str]) -> None:
    with pytest.raises(ProcessDefinitionError):
        processes("production", {**PRODUCTION, **bad})


def test_supervisord_config_supervises_each_process_and_keeps_secrets_out(tmp_path: Path) -> None:
    text = render("supervisord", "production", PRODUCTION, run_dir=tmp_path)["supervisord.conf"]
    config = configparser.RawConfigParser()
    config.read_string(text)
    programs = [s for s in config.sections() if s.startswith(("program:", "fcgi-program:"))]
    assert programs == ["program:rasa-0", "program:rasa-1", "program:actions", "fcgi-program:web"]
    for section in programs:
        assert config[section]["autorestart"] == "true"
        assert config[section]["killasgroup"] == "true"
    web = config["fcgi-program:web"]
    assert web["socket"] == "tcp://127.0.0.1:9000"
    assert web["numprocs"] == "2"
    assert web["command"].endswith("uvicorn web.main:app --fd 0")
    assert config["program:rasa-1"]["command"].endswith("--port 6006")
    assert config["program:rasa-1"]["stdout_logfile"] == str(tmp_path / "log" / "rasa-1.log")
    for secret in ("pw-db-1234", "pw-redis-5678", *SECRET_VARIABLES):
        assert secret not in text


def test_systemd_units_match_the_definition(tmp_path: Path) -> None:
    units = render("systemd", "production", PRODUCTION, run_dir=tmp_path)
    assert sorted(units) == [
        "minzheng-actions.service",
        "minzheng-rasa-0.service",
        "minzheng-rasa-1.service",
        "minzheng-web-0.service",
        "minzheng-web-1.service",
        "minzheng-web.socket",
        "minzheng.target",
    ]
    assert "ListenStream=127.0.0.1:9000" in units["minzheng-web.socket"]
    web_0 = units["minzheng-web-0.service"]
    assert "Sockets=minzheng-web.socket" in web_0
    assert '"--fd" "3"' in web_0
    assert "Restart=always" in units["minzheng-rasa-0.service"]
    assert '"--port" "6006"' in units["minzheng-rasa-1.service"]
    assert not any("pw-db-1234" in text or "pw-redis" in text for text in units.values())


def test_procfile_lines_are_the_definitions_command_lines(tmp_path: Path) -> None:
    procfile = render("procfile", "embedded", {}, run_dir=tmp_path)["Procfile"]
    lines = [line for line in procfile.splitlines() if not line.startswith("#")]
    assert [line.split(":")[0] for line in lines] == ["rasa", "actions", "web"]
    web = ".venv/bin/python -m uvicorn web.main:app --host 127.0.0.1 --port 8000"
    assert lines[2].endswith(web)
