"""`/api/analytics` and `/api/review` through the web app: who may call them, and what they say."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from backoffice.analytics import tracker as tracker_module
from backoffice.db import get_session, make_engine
from core.settings import Settings, get_settings
from testkit.analytics_fixture import seed_day
from tests.backoffice.handoff_support import PASSWORDS, add_staff
from web.main import create_app
from zhtext.city_time import city_today

# Within the inbox's 30 days (REVIEW_DAYS) of the tests' clock.
DAY = city_today() - dt.timedelta(days=3)
EDITOR_TOKEN = "editor-" + "Yt5Gh8Jk2Mn4Bv6Cx9Qw"


@pytest.fixture
def client(
    database_url: str, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    add_staff(session)
    tracker_db = tmp_path / "rasa_tracker.db"
    tracker = create_engine(f"sqlite:///{tracker_db}")
    seed_day(session, tracker, DAY)
    tracker.dispose()
    monkeypatch.setenv("RASA_TRACKER_DB", str(tracker_db))
    monkeypatch.setattr(tracker_module, "_ENGINES", {})
    monkeypatch.setattr(get_settings(), "editor_token", EDITOR_TOKEN)
    engine = make_engine(database_url)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)

    def own_session() -> Iterator[Session]:
        with sessions() as db_session:
            yield db_session

    settings = Settings(database_url=database_url, rasa_url="http://rasa")
    app = create_app(settings)
    app.dependency_overrides[get_session] = own_session
    with TestClient(app) as test_client:
        app.state.staff_sessions = sessions
        yield test_client
    engine.dispose()


def login(client: TestClient, username: str) -> None:
    response = client.post(
        "/api/handoff/login", json={"username": username, "password": PASSWORDS[username]}
    )
    assert response.status_code == 200, response.text


PERIOD = {"start": DAY.isoformat(), "end": DAY.isoformat()}


def test_analytics_needs_a_supervisor(client: TestClient) -> None:
    response = client.get("/api/analytics/report", params=PERIOD)
    assert response.status_code == 401
    assert "登录" in response.json()["error"]["message"]
    login(client, "agent1")
    response = client.get("/api/analytics/report", params=PERIOD)
    assert response.status_code == 403
    assert client.get("/console/analytics").status_code == 403


def test_the_report_and_one_table_as_json_and_csv(client: TestClient) -> None:
    login(client, "lead1")
    body = client.get("/api/analytics/report", params=PERIOD).json()
    overview = {row["key"]: row["value"] for row in body["tables"]["overview"]["rows"]}
    assert (overview["conversations"], overview["handoffs"], overview["abandoned"]) == (9, 2, 1)
    assert body["tables"]["services"]["columns"]["completions"] == "办成"
    staff = client.get("/api/analytics/tables/staff", params=PERIOD).json()
    assert {row["key"]: row["value"] for row in staff["rows"]}["first_reply_median"] == 90
    csv = client.get("/api/analytics/tables/unanswered.csv", params=PERIOD)
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    assert csv.content.decode("utf-8-sig").splitlines()[1].startswith("老年卡在哪里办,3,")
    page = client.get("/console/analytics", params=PERIOD)
    assert page.status_code == 200 and "<polyline" in page.text


def test_demo_data_is_apart_from_real_data(client: TestClient) -> None:
    login(client, "lead1")
    real = client.get("/api/analytics/tables/daily", params=PERIOD).json()["rows"]
    demo = client.get("/api/analytics/tables/daily", params={"demo": "true"}).json()["rows"]
    assert real[0]["conversations"] == 9
    assert sum(row["conversations"] for row in demo) > 0
    agents = client.get("/api/analytics/tables/agents", params={"demo": "true"}).json()["rows"]
    assert all("demo_agent" in row["agent"] for row in agents)
    real_agents = client.get("/api/analytics/tables/agents", params=PERIOD).json()["rows"]
    assert all("demo" not in row["agent"] for row in real_agents)


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        ("/api/analytics/report", {"start": "2026-11-10", "end": "2026-11-01"}, 422, "bad_period"),
        ("/api/analytics/report", {"start": "2024-01-01", "end": "2026-11-01"}, 422, "bad_period"),
        ("/api/analytics/tables/nothing", PERIOD, 404, "unknown_table"),
        ("/api/analytics/tables/nothing.csv", PERIOD, 404, "unknown_table"),
        ("/api/analytics/report", {"start": "yesterday"}, 422, "invalid_request"),
    ],
)
def test_refusals_are_chinese(
    client: TestClient, path: str, params: dict[str, str], status: int, code: str
) -> None:
    login(client, "lead1")
    response = client.get(path, params=params)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])


def test_the_review_api_needs_an_editor(client: TestClient) -> None:
    assert client.get("/api/review/inbox").status_code == 401
    login(client, "lead1")
    assert client.get("/api/review/inbox").status_code == 401, "staff are not editors"
    assert client.get("/console/review", follow_redirects=False).headers["location"] == (
        "/knowledge/login"
    )
    headers = {"Authorization": f"Bearer {EDITOR_TOKEN}"}
    items = client.get("/api/review/inbox", headers=headers).json()["items"]
    assert [item["conversation_id"] for item in items] == ["web-d", "wechat-c", "web-b"]
    abandoned = next(t for t in items[2]["turns"] if t["flags"] == ["abandoned"])
    done = client.post(
        "/api/review/decisions",
        headers=headers,
        json={"key": abandoned["key"], "decision": "off_topic", "editor": "王编辑"},
    )
    assert done.status_code == 201, done.text
    left = client.get("/api/review/inbox", headers=headers).json()["items"]
    assert [item["conversation_id"] for item in left] == ["web-d", "wechat-c"]
    refused = client.post(
        "/api/review/decisions",
        headers=headers,
        json={"key": "web-x@1.000", "decision": "off_topic", "editor": "王编辑"},
    )
    assert refused.status_code == 404
    assert "收件箱" in refused.json()["error"]["message"]


def test_no_demo_data_in_the_production_profile(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    login(client, "lead1")
    monkeypatch.setattr(get_settings(), "profile", "production")
    monkeypatch.setenv("RASA_TRACKER_URL", f"sqlite:///{tmp_path / 'no_tracker.db'}")
    response = client.get("/api/analytics/report", params={"demo": "true"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "no_demo"
    page = client.get("/console/analytics", params={"demo": "true"})
    assert page.status_code == 200 and "demo-toggle" not in page.text
