"""Fixtures for knowledge tests: the real knowledge folder and small throw-away ones."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.loader import KnowledgeBase, load_knowledge_base
from knowledge.search import KnowledgeIndex
from knowledge.store import build_index_for

PROJECT_ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"

TOPICS = {"topics": {"marriage": "婚姻登记", "assistance": "社会救助"}}


def article_data(**overrides: Any) -> dict[str, Any]:
    """A valid article as a dict; override any field."""
    data: dict[str, Any] = {
        "id": "marriage-fees",
        "title": "办理婚姻登记要收费吗？",
        "topic": "marriage",
        "questions": [
            "领结婚证多少钱",
            "结婚登记收费吗",
            "办离婚证要交钱吗",
            "婚姻登记工本费是多少",
        ],
        "answer": "不收费。婚姻登记机关办理婚姻登记，不得收取费用。\n",
        "source": {
            "title": "《婚姻登记条例》（2025年修订）施行报道",
            "url": "https://www.10100.com/article/41062544",
            "confidence": "press",
        },
        "effective_from": "2025-05-10",
        "review_by": "2027-05-10",
        "last_editor": "测试",
        "sample": False,
    }
    data.update(overrides)
    return data


def write_article(
    root: Path, data: dict[str, Any], *, name: str | None = None, folder: str | None = None
) -> Path:
    """Write an article dict to articles/<topic>/<id>.yml (or a given folder and file name)."""
    folder_path = root / "articles" / (folder or str(data.get("topic", "marriage")))
    folder_path.mkdir(parents=True, exist_ok=True)
    path = folder_path / (name or f"{data['id']}.yml")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def make_article() -> Callable[..., dict[str, Any]]:
    """Return the factory of valid article dicts (override any field by keyword)."""
    return article_data


@pytest.fixture
def small_kb(tmp_path: Path) -> Path:
    """A knowledge folder with three valid articles and the real search support files."""
    root = tmp_path / "knowledge"
    root.mkdir()
    (root / "topics.yml").write_text(yaml.safe_dump(TOPICS, allow_unicode=True), encoding="utf-8")
    for support in ("search.yml", "gazetteer.yml", "stopwords.txt", "contacts.yml"):
        shutil.copy(KNOWLEDGE_DIR / support, root / support)
    write_article(root, article_data())
    write_article(
        root,
        article_data(
            id="marriage-cooling-off",
            title="离婚冷静期是多久？",
            questions=[
                "离婚冷静期多少天",
                "什么是离婚冷静期",
                "协议离婚要等多久才能拿证",
                "冷静期过了还要再去一趟吗",
            ],
            answer="收到离婚登记申请之日起30日内，任何一方可以撤回申请。\n",
            related=["marriage-fees"],
        ),
    )
    write_article(
        root,
        article_data(
            id="assistance-dibao-conditions",
            topic="assistance",
            title="申请低保需要满足什么条件？",
            questions=[
                "低保的申请条件是什么",
                "什么样的家庭能吃低保",
                "低保要看存款吗",
                "有房有车还能办低保吗",
            ],
            answer="家庭月人均收入低于当地低保标准，财产和消费符合规定。\n",
        ),
    )
    return root


@pytest.fixture
def write(small_kb: Path) -> Callable[..., Path]:
    """Write an article into the small knowledge folder."""

    def _write(data: dict[str, Any], *, name: str | None = None, folder: str | None = None) -> Path:
        return write_article(small_kb, data, name=name, folder=folder)

    return _write


@pytest.fixture(scope="session")
def real_kb() -> KnowledgeBase:
    return load_knowledge_base(KNOWLEDGE_DIR)


@pytest.fixture(scope="session")
def real_index(real_kb: KnowledgeBase) -> KnowledgeIndex:
    return build_index_for(real_kb)
