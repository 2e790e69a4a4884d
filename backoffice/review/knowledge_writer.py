"""Adding a citizen's words as a question of a knowledge article (no retraining needed).

The question goes at the end of the article's `questions:` list, as a double-quoted YAML string,
with who added it and when as a comment on the same line. The article is read back through the
knowledge base's own schema before the file is replaced.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from knowledge.loader import ARTICLES_DIR
from knowledge.schema import Article
from knowledge.yamlfile import read_yaml

QUESTIONS_LINE = re.compile(r"^questions:\s*$")


def article_path(knowledge_dir: Path, article_id: str) -> Path | None:
    """The file of an article (`articles/<topic>/<id>.yml`), or None."""
    if not re.fullmatch(r"[\w-]+", article_id):
        return None
    found = sorted((knowledge_dir / ARTICLES_DIR).glob(f"*/{article_id}.yml"))
    return found[0] if found else None


def article_ids(knowledge_dir: Path) -> list[str]:
    """Every article id, sorted."""
    return sorted(path.stem for path in (knowledge_dir / ARTICLES_DIR).glob("*/*.yml"))


def known_questions(knowledge_dir: Path) -> set[str]:
    """Every question of every article (to refuse a duplicate)."""
    questions: set[str] = set()
    for path in (knowledge_dir / ARTICLES_DIR).glob("*/*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        questions.update(str(q).strip() for q in data.get("questions") or [])
    return questions


def insert_question(source: str, question: str, comment: str) -> str:
    """`source` with `question` appended to its block list `questions:`.

    Raises:
        ValueError: The file has no block-style `questions:` list.
    """
    lines = source.splitlines()
    start = next((i for i, line in enumerate(lines) if QUESTIONS_LINE.match(line)), None)
    if start is None:
        raise ValueError("questions")
    last, indent = start, "  "
    for position in range(start + 1, len(lines)):
        line = lines[position]
        if line.lstrip().startswith("- ") and line.startswith(" "):
            last, indent = position, line[: len(line) - len(line.lstrip())]
        elif line.strip() and not line.startswith(" "):
            break
    entry = f"{indent}- {json.dumps(question, ensure_ascii=False)}  {comment}"
    updated = [*lines[: last + 1], entry, *lines[last + 1 :]]
    return "\n".join(updated) + ("\n" if source.endswith("\n") else "")


def add_question(path: Path, question: str, comment: str) -> None:
    """Write the question into the article file, if the article still validates.

    Raises:
        ValueError: The article would not validate, or the question did not land in it.
    """
    original = path.read_text(encoding="utf-8")
    updated = insert_question(original, question, comment)
    data = yaml.safe_load(updated)
    if question not in (data.get("questions") or []):
        raise ValueError("questions")
    path.write_text(updated, encoding="utf-8")
    try:
        document = read_yaml(path)
        Article.model_validate(
            document.data,
            context={"slug": path.stem, "folder": path.parent.name, "topics": None},
        )
    except Exception as error:
        path.write_text(original, encoding="utf-8")
        raise ValueError("article") from error
