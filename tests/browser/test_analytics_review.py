"""The analytics page and the review inbox in real Chromium, against the web process alone.

The web app runs on a throw-away database holding the fixed day of testkit/analytics_fixture
(yesterday in Hangzhou), and on temporary copies of nlu_data/ and knowledge/: the editor's clicks
change the copies, never the real files.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from backoffice.db import make_engine
from core.settings import PROJECT_ROOT
from testkit.analytics_fixture import FALLBACK_TEXT, KNOWLEDGE_TEXT, seed_day
from testkit.web_only import WebOnly, prepare, web_only
from zhtext.city_time import city_today

pytestmark = pytest.mark.browser

EDITOR_TOKEN = "editor-" + "Rv7Tq2Lm9Xw4Zp6Kc3Hn"
SCREENSHOT = PROJECT_ROOT / "docs" / "screenshots" / "analytics.png"
REVIEW_SCREENSHOT = SCREENSHOT.with_name("review.png")


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("content")
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(PROJECT_ROOT / "nlu_data", folder / "nlu_data", ignore=ignore)
    shutil.copytree(PROJECT_ROOT / "knowledge", folder / "knowledge", ignore=ignore)
    return folder / "nlu_data", folder / "knowledge"


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, copies: tuple[Path, Path]
) -> Iterator[WebOnly]:
    workdir = tmp_path_factory.mktemp("web")
    database_url, tracker_db = prepare(workdir)
    engine, tracker = make_engine(database_url), create_engine(f"sqlite:///{tracker_db}")
    with Session(engine) as session:
        seed_day(session, tracker, city_today() - dt.timedelta(days=1))
    engine.dispose()
    tracker.dispose()
    nlu_dir, knowledge_dir = copies
    env = {
        "EDITOR_TOKEN": EDITOR_TOKEN,
        "KNOWLEDGE_DIR": str(knowledge_dir),
        "REVIEW_NLU_DIR": str(nlu_dir),
    }
    with web_only(workdir, database_url, env) as running:
        yield running


@pytest.fixture
def context(browser: Browser, server: WebOnly) -> Iterator[BrowserContext]:
    opened = browser.new_context(
        viewport={"width": 1366, "height": 900},
        locale="zh-CN",
        base_url=server.url,
        accept_downloads=True,
    )
    yield opened
    opened.close()


def watch_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_supervisor_sees_charts_and_downloads_a_csv(context: BrowserContext) -> None:
    page = context.new_page()
    errors = watch_errors(page)
    page.goto("/console/analytics")
    expect(page).to_have_url(re.compile(r".*/console/login$"))
    page.get_by_label("用户名").fill("lead1")
    page.get_by_label("密码").fill("dev-lead1-pass")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="运行分析").click()
    expect(page.get_by_role("heading", name="运行分析")).to_be_visible()
    expect(page.locator("[data-metric=conversations]")).to_have_text("9")
    expect(page.locator("[data-metric=handoff_rate]")).to_have_text("22.2%")
    trend = page.locator("#chart-daily polyline.series")
    expect(trend).to_have_count(3)
    box = page.locator("#chart-daily svg[role=img]").bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 80
    expect(page.locator("#chart-funnel rect.bar")).to_have_count(4)
    expect(page.locator("#chart-reasons rect.bar")).to_have_count(2)
    expect(page.locator("#chart-reasons")).to_contain_text("紧急情况")

    with page.expect_download() as download:
        page.locator("#table-services a.csv").click()
    path = download.value.path()
    rows = path.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "业务,会话数,开始办理,办成,办成率,中途放弃,转人工,自助解决"
    assert "婚姻登记预约,2,2,1,0.5,1,0,2" in rows

    page.locator("#demo-toggle").check()
    expect(page.locator("#demo-banner")).to_be_visible()
    expect(page.locator("#chart-daily polyline.series")).to_have_count(3)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    assert errors == []


def test_editor_turns_failed_turns_into_an_example_and_a_question(
    context: BrowserContext, copies: tuple[Path, Path]
) -> None:
    nlu_dir, knowledge_dir = copies
    page = context.new_page()
    errors = watch_errors(page)
    page.goto("/console/review")
    expect(page).to_have_url(re.compile(r".*/knowledge/login$"))
    page.get_by_label("编辑令牌").fill(EDITOR_TOKEN)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r".*/knowledge/preview$"))
    page.goto("/console/review")
    expect(page.get_by_role("heading", name="审核收件箱")).to_be_visible()
    page.get_by_label("署名").fill("王编辑")
    page.get_by_role("button", name="保存署名").click()
    expect(page.locator("#signed-as")).to_contain_text("王编辑")
    page.screenshot(path=str(REVIEW_SCREENSHOT), full_page=False)

    failed = page.locator("[data-conversation='web-d'] .turn", has_text=FALLBACK_TEXT)
    failed.locator("select[name=target]").select_option("request_human")
    failed.get_by_role("button", name="加为例句").click()
    decided = page.locator("[data-conversation='web-d'] .turn", has_text=FALLBACK_TEXT)
    expect(decided.locator(".decided")).to_contain_text("request_human")
    base = (nlu_dir / "base.yml").read_text(encoding="utf-8")
    assert f"      - {FALLBACK_TEXT}\n" in base
    assert f"审核收件箱添加「{FALLBACK_TEXT}」：王编辑" in base
    assert FALLBACK_TEXT not in (PROJECT_ROOT / "nlu_data" / "base.yml").read_text("utf-8")

    question = page.locator("[data-conversation='wechat-c'] .turn", has_text=KNOWLEDGE_TEXT)
    expect(question.locator("input[name=target]")).to_have_value("marriage-annulment")
    question.get_by_role("button", name="加为知识问法").click()
    expect(page.locator("[data-conversation='wechat-c']")).to_have_count(0)
    article = knowledge_dir / "articles" / "marriage" / "marriage-annulment.yml"
    assert yaml.safe_load(article.read_text("utf-8"))["questions"][-1] == KNOWLEDGE_TEXT
    assert "审核收件箱添加：王编辑" in article.read_text("utf-8")
    assert errors == []

    # The knowledge check (make kb-check) still passes on the changed copy.
    check = subprocess.run(
        [sys.executable, "-m", "knowledge.check", "--root", str(knowledge_dir), "--no-regression"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
