"""Load the knowledge folder (topics.yml, articles/<topic>/<id>.yml) into a KnowledgeBase."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from knowledge.referrals import REFERRALS_FILE, ReferralBook, load_referrals
from knowledge.rules import PolicyRule, load_rules, render_answer
from knowledge.schema import Article, ArticleContext, ContactsFile, TopicsFile
from knowledge.yamlfile import KnowledgeError, read_yaml, validate_document, validation_errors

__all__ = [
    "ArticleLocation",
    "KnowledgeBase",
    "LoadReport",
    "article_files",
    "load_contacts",
    "load_knowledge_base",
    "load_topics",
    "scan_knowledge_base",
]

TOPICS_FILE = "topics.yml"
CONTACTS_FILE = "contacts.yml"
ARTICLES_DIR = "articles"


@dataclass(frozen=True)
class ArticleLocation:
    """Where an article lives, so messages can point editors at a line.

    Attributes:
        path: The article file.
        field_lines: Line of each top-level field.
        question_lines: Line of each example question, in order.
    """

    path: Path
    field_lines: Mapping[str, int]
    question_lines: tuple[int, ...]

    def line_of_question(self, index: int) -> int | None:
        """Return the line of the ``index``-th example question, if known."""
        return self.question_lines[index] if 0 <= index < len(self.question_lines) else None


@dataclass(frozen=True)
class KnowledgeBase:
    """An immutable snapshot of all valid articles.

    Attributes:
        root: The knowledge folder it was loaded from.
        topics: Topic code → Chinese name.
        articles: All articles, sorted by id.
        locations: Article id → where it is stored.
        referrals: Office and contact lines per topic, for questions without an answer.
        rules: Dated rules of ``policies/`` (``<file>.<entry>`` → rule) that answers quote.
    """

    root: Path
    topics: Mapping[str, str]
    articles: tuple[Article, ...]
    locations: Mapping[str, ArticleLocation]
    referrals: ReferralBook | None = None
    rules: Mapping[str, PolicyRule] = field(default_factory=lambda: MappingProxyType({}))
    _by_id: Mapping[str, Article] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_by_id", MappingProxyType({article.id: article for article in self.articles})
        )

    def __len__(self) -> int:
        return len(self.articles)

    def __iter__(self) -> Iterator[Article]:
        return iter(self.articles)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._by_id

    def get(self, article_id: str) -> Article | None:
        """Return the article with this id, or ``None``."""
        return self._by_id.get(article_id)

    def by_topic(self, topic: str) -> tuple[Article, ...]:
        """Return the articles of one topic, sorted by id."""
        return tuple(article for article in self.articles if article.topic == topic)


@dataclass(frozen=True)
class LoadReport:
    """Result of reading the whole folder: the valid part and every problem.

    Attributes:
        knowledge_base: Articles that passed validation (problem files left out).
        errors: Problems found, in file order.
    """

    knowledge_base: KnowledgeBase
    errors: tuple[KnowledgeError, ...]


def load_knowledge_base(root: Path | str) -> KnowledgeBase:
    """Load the knowledge folder, refusing it if any file is invalid.

    Args:
        root: The knowledge folder (holding ``topics.yml`` and ``articles/``).

    Returns:
        The knowledge base.

    Raises:
        KnowledgeError: For the first invalid file, naming file, line and field.
    """
    report = scan_knowledge_base(root)
    if report.errors:
        raise report.errors[0]
    return report.knowledge_base


def scan_knowledge_base(root: Path | str) -> LoadReport:
    """Read every knowledge file and collect all problems instead of stopping at the first.

    Args:
        root: The knowledge folder.

    Returns:
        The valid articles and the list of problems.

    Raises:
        KnowledgeError: When ``topics.yml`` itself is unusable (nothing can be checked without it).
    """
    root = Path(root)
    topics = load_topics(root)
    rules, rule_errors = load_rules(root)
    errors: list[KnowledgeError] = list(rule_errors)
    articles: dict[str, Article] = {}
    locations: dict[str, ArticleLocation] = {}
    for path in article_files(root, errors):
        try:
            article, location = _load_article(path, frozenset(topics), rules, errors)
        except KnowledgeError as error:
            errors.append(error)
            continue
        if article is None or location is None:
            continue
        if article.id in articles:
            first = locations[article.id].path
            errors.append(
                KnowledgeError(
                    path,
                    f"id「{article.id}」与 {first} 重复",
                    line=location.field_lines.get("id"),
                    field="id",
                )
            )
            continue
        articles[article.id] = article
        locations[article.id] = location
    knowledge_base = KnowledgeBase(
        root=root,
        topics=MappingProxyType(dict(topics)),
        articles=tuple(articles[key] for key in sorted(articles)),
        locations=MappingProxyType(locations),
        referrals=_referrals(root, topics, errors),
        rules=rules,
    )
    return LoadReport(knowledge_base=knowledge_base, errors=tuple(errors))


def _referrals(
    root: Path, topics: Mapping[str, str], errors: list[KnowledgeError]
) -> ReferralBook | None:
    """The topic referrals, when the folder has ``referrals.yml`` (problems go to ``errors``)."""
    if not (root / REFERRALS_FILE).is_file():
        return None
    try:
        contacts = {contact.id: contact for contact in load_contacts(root).contacts}
        return load_referrals(root, topics, contacts)
    except KnowledgeError as error:
        errors.append(error)
        return None


def load_topics(root: Path) -> Mapping[str, str]:
    """Read ``topics.yml``.

    Args:
        root: The knowledge folder.

    Returns:
        Topic code → Chinese name.

    Raises:
        KnowledgeError: When the file is missing or invalid.
    """
    path = root / TOPICS_FILE
    if not path.is_file():
        raise KnowledgeError(path, "找不到主题列表文件 topics.yml")
    topics = validate_document(read_yaml(path), TopicsFile)
    return MappingProxyType(dict(topics.topics))


def load_contacts(root: Path) -> ContactsFile:
    """Read ``contacts.yml``.

    Args:
        root: The knowledge folder.

    Returns:
        The validated contacts.

    Raises:
        KnowledgeError: When the file is missing or invalid.
    """
    path = root / CONTACTS_FILE
    if not path.is_file():
        raise KnowledgeError(path, "找不到联系电话文件 contacts.yml")
    return validate_document(read_yaml(path), ContactsFile)


def article_files(root: Path, errors: list[KnowledgeError] | None = None) -> list[Path]:
    """List article files, sorted; misplaced files are reported into ``errors``.

    Files and folders whose names start with ``.`` or ``_`` are drafts and are skipped.

    Args:
        root: The knowledge folder.
        errors: Where to report files in the wrong place or with the wrong extension.

    Returns:
        Paths of ``articles/<topic>/<id>.yml`` files.
    """
    articles_dir = root / ARTICLES_DIR
    found: list[Path] = []
    if not articles_dir.is_dir():
        if errors is not None:
            errors.append(KnowledgeError(articles_dir, "找不到文章文件夹 articles/"))
        return found
    for path in sorted(articles_dir.rglob("*")):
        relative = path.relative_to(articles_dir)
        if any(part.startswith((".", "_")) for part in relative.parts) or path.is_dir():
            continue
        if path.suffix == ".yml" and len(relative.parts) == 2:
            found.append(path)
        elif errors is not None and path.suffix in {".yml", ".yaml"}:
            reason = (
                "扩展名请用 .yml"
                if path.suffix == ".yaml"
                else "文章必须放在 articles/<主题>/ 文件夹中"
            )
            errors.append(KnowledgeError(path, reason))
    return found


def _load_article(
    path: Path,
    topics: frozenset[str],
    rules: Mapping[str, PolicyRule],
    errors: list[KnowledgeError],
) -> tuple[Article | None, ArticleLocation | None]:
    document = read_yaml(path)
    context = ArticleContext(slug=path.stem, folder=path.parent.name, topics=topics)
    result = validation_errors(document, Article, context)
    if isinstance(result, list):
        errors.extend(result)
        return None, None
    field_lines = {
        name: line
        for name in Article.model_fields
        if (line := document.line_of((name,))) is not None
    }
    question_lines = tuple(
        document.line_of(("questions", index)) or field_lines.get("questions", 1)
        for index in range(len(result.questions))
    )
    location = ArticleLocation(
        path=path, field_lines=MappingProxyType(field_lines), question_lines=question_lines
    )
    if result.rule is None:
        return result, location
    rule = rules.get(result.rule)
    if rule is None:
        known = "、".join(sorted(rules)) or "（没有）"
        errors.append(
            KnowledgeError(
                path,
                f"找不到规则「{result.rule}」（policies/ 中已有：{known}）",
                line=field_lines.get("rule"),
                field="rule",
            )
        )
        return None, None
    return result.model_copy(update={"answer": render_answer(result.answer, rule)}), location
