"""deploy/kubernetes/ and deploy/Containerfile, checked offline against the process definition.

The manifests are generated from core/processes.py; these tests fail when the committed files
differ from what the definition generates now (run `make k8s`), when a manifest does not
validate against the Kubernetes 1.37 schemas shipped in kubernetes-validate (strict: unknown
fields are errors; no network), or when the images would not hold what the commands run.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from core.kubernetes_manifests import SECRET, absolute, cluster_processes, render
from core.process_configs import SECRET_VARIABLES
from core.settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
KUBERNETES_VERSION = "1.37.0"


def committed() -> dict[str, list[dict[str, Any]]]:
    return {
        path.name: list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        for path in sorted((DEPLOY / "kubernetes").glob("*.yaml"))
    }


def objects(kind: str) -> list[dict[str, Any]]:
    return [o for docs in committed().values() for o in docs if o["kind"] == kind]


def test_committed_manifests_are_the_generated_ones() -> None:
    generated = render()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in (DEPLOY / "kubernetes").glob("*")}
    assert on_disk == generated, "deploy/kubernetes is out of date: run `make k8s`"


def test_every_manifest_validates_against_the_kubernetes_schemas() -> None:
    documents = [o for docs in committed().values() for o in docs]
    assert {o["kind"] for o in documents} == {
        "ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Job", "Service",
    }  # fmt: skip
    for document in documents:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d["spec"].update(replicas="two"),
        lambda d: d["spec"]["template"]["spec"]["containers"][0].update(comand=["x"]),
        lambda d: d["spec"]["template"]["spec"]["containers"][0].update(ports=[{"name": "x"}]),
    ],
)
def test_the_schema_check_catches_a_broken_deployment(spoil: Any) -> None:
    broken = copy.deepcopy(objects("Deployment")[0])
    spoil(broken)
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_deployments_run_the_definitions_command_lines_with_its_probes() -> None:
    deployments = {d["metadata"]["name"]: d for d in objects("Deployment")}
    assert sorted(deployments) == ["minzheng-actions", "minzheng-rasa", "minzheng-web"]
    for kind, process in cluster_processes().items():
        container = deployments[f"minzheng-{kind}"]["spec"]["template"]["spec"]["containers"][0]
        assert container["command"] == absolute(process.argv)
        ready = container["readinessProbe"]
        if kind == "rasa":  # /status needs the token: a request from inside the container
            check = ready["exec"]["command"][-1]
            assert f"127.0.0.1:{process.port}{process.health_path}?token=" in check
            assert "os.environ['RASA_TOKEN']" in check
        else:
            assert ready["httpGet"] == {"path": process.health_path, "port": process.port}
        assert container["livenessProbe"]["httpGet"]["path"] == process.live_path
        refs = [next(iter(source.values()))["name"] for source in container["envFrom"]]
        assert refs == ["minzheng-config", SECRET]
    assert deployments["minzheng-rasa"]["spec"]["replicas"] >= 2


def test_config_map_holds_the_definitions_environment_and_no_secret() -> None:
    (config,) = objects("ConfigMap")
    process = next(iter(cluster_processes().values()))
    public = {k: v for k, v in process.env.items() if k not in SECRET_VARIABLES}
    assert config["data"] == public
    assert not SECRET_VARIABLES & set(config["data"])
    assert not {"DATABASE_URL", "REDIS_URL", "SERVICE_TOKEN", "EDITOR_TOKEN"} & set(config["data"])
    assert config["data"]["RASA_URLS"] == "http://minzheng-rasa:5005"


def test_services_autoscalers_and_external_databases() -> None:
    services = {s["metadata"]["name"]: s["spec"] for s in objects("Service")}
    assert services["minzheng-postgres"]["type"] == "ExternalName"
    assert services["minzheng-redis"]["type"] == "ExternalName"
    for kind in ("rasa", "actions", "web"):
        assert services[f"minzheng-{kind}"]["ports"][0]["port"] == cluster_processes()[kind].port
    targets = {h["spec"]["scaleTargetRef"]["name"] for h in objects("HorizontalPodAutoscaler")}
    assert targets == {"minzheng-rasa", "minzheng-web"}


def test_images_hold_the_environments_the_commands_run() -> None:
    containerfile = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    stages = dict(
        (line.split()[-1], line) for line in containerfile.splitlines() if line.startswith("FROM")
    )
    assert set(stages) == {"rasa", "app"}
    assert "python:3.10" in stages["rasa"] and "python:3.11" in stages["app"]
    assert "python -m venv /app/.venv-rasa" in containerfile
    assert "python -m venv /app/.venv " in containerfile
    assert "requirements/rasa.txt" in containerfile and "requirements/app.txt" in containerfile
    for deployment in objects("Deployment"):
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        venv = ".venv-rasa" if container["image"].startswith("minzheng-rasa") else ".venv/"
        assert container["command"][0].startswith(f"/app/{venv}"), container["command"]
    assert Path(PROJECT_ROOT / ".dockerignore").read_text().count(".venv") >= 2
