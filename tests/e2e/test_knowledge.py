"""A question outside the guided services is answered from knowledge/ with its source and date."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import create_engine, text

from testkit.chat import say
from testkit.stack import LiveStack

pytestmark = pytest.mark.e2e


def test_policy_question_gets_the_article_with_source_and_date(live_stack: LiveStack) -> None:
    sender = f"kb-{uuid.uuid4().hex[:12]}"
    body = say(live_stack, sender, "离婚冷静期有多长时间啊")
    reply = "\n".join(m["text"] or "" for m in body["messages"])
    assert "30" in reply
    assert "来源：" in reply and "更新于：" in reply
    titles = [b["title"] for m in body["messages"] for b in m["buttons"]]
    assert titles == ["有帮助", "没帮助"]

    thanks = say(live_stack, sender, "/feedback_helpful")
    assert "感谢您的反馈" in thanks["messages"][0]["text"]
    engine = create_engine(live_stack.database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT article_id, helpful FROM knowledge_feedback WHERE conversation_id = :c"),
            {"c": f"web-{sender}"},
        ).all()
    engine.dispose()
    assert len(rows) == 1 and rows[0][1]


def test_preview_search_ranks_articles(live_stack: LiveStack) -> None:
    url = f"{live_stack.web_url}/api/knowledge/search"
    assert httpx.get(url, params={"q": "高龄津贴怎么领"}).status_code == 401, "editors only"
    editor = {"Authorization": f"Bearer {live_stack.production_secrets['EDITOR_TOKEN']}"}
    response = httpx.get(url, params={"q": "高龄津贴怎么领"}, headers=editor)
    assert response.status_code == 200
    body = response.json()
    assert body["decision"] in {"answer", "suggest"}
    assert body["matches"][0]["topic"] == "eldercare"
    assert httpx.post(f"{live_stack.web_url}/api/knowledge/reload").status_code == 401
