"""Pydantic models for the editor-owned knowledge files (articles, topics, contacts).

Validation that needs to know where a file lives (its slug and folder, the list of known topics) is
passed in through pydantic's validation context, see :class:`ArticleContext`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal, TypedDict

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

SAMPLE_MARKER = "示例内容，待核实"
"""Text every sample answer must contain, so a citizen sees that a figure is not verified."""

Confidence = Literal["official", "press", "third_party", "sample"]

_KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
_DOCUMENT_TITLE = re.compile(r"《[^》]+》")
_RULE_REFERENCE = re.compile(r"^[a-z0-9_]+\.[a-z0-9_]+$")
RULE_PLACEHOLDER = "{rule}"
"""Where an article's answer quotes the statement of its ``rule``."""


def regular_expressions(patterns: tuple[str, ...], *, named: str = "") -> tuple[str, ...]:
    """`patterns` when every one compiles; else ValueError naming the first that does not."""
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"{named}「{pattern}」不是有效的正则表达式：{error}") from error
    return patterns


def _strip_required(value: str) -> str:
    stripped = value.strip()
    if not stripped:
        raise ValueError("不能为空")
    return stripped


NonEmptyText = Annotated[str, AfterValidator(_strip_required)]


class ArticleContext(TypedDict, total=False):
    """What the loader knows about an article file, checked against its content.

    Attributes:
        slug: File name without ``.yml``; must equal the article id.
        folder: Name of the folder holding the file; must equal the article topic.
        topics: Known topic codes from ``topics.yml``.
    """

    slug: str
    folder: str
    topics: frozenset[str]


class Source(BaseModel):
    """Where an answer comes from: a web page, or a document and clause.

    Attributes:
        title: Name of the page or document, e.g. ``《婚姻登记条例》（2025年修订）``.
        url: Address of the page (http or https); optional when ``title`` names a document.
        clause: Article or section of the document, e.g. ``第七条``.
        confidence: How far the source can be trusted (official, press, third_party, sample).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: NonEmptyText
    url: str | None = None
    clause: str | None = None
    confidence: Confidence

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not _URL.match(value):
            raise ValueError("网址必须以 http:// 或 https:// 开头，且不能含空格")
        return value

    @model_validator(mode="after")
    def _url_or_document(self) -> Source:
        # Sample content has no real source yet; everything else must be traceable.
        if self.confidence == "sample":
            return self
        if self.url is None and not _DOCUMENT_TITLE.search(self.title):
            raise ValueError(
                "没有网址时，title 必须写明文件名（用书名号《》），如有条款请写在 clause"
            )
        return self


class Article(BaseModel):
    """One answer of the knowledge base, stored as ``articles/<topic>/<id>.yml``.

    Attributes:
        id: Unique kebab-case id, equal to the file name without ``.yml``.
        title: The question this article answers, shown as a button title.
        topic: Topic code, equal to the folder name and listed in ``topics.yml``.
        questions: Example questions as citizens write them (at least three).
        answer: Short plain answer in polite 您-form.
        source: Where the answer comes from.
        effective_from: Date from which the answer is valid.
        review_by: Date by which an editor must check the answer again.
        last_editor: Who changed the article last.
        sample: True when the content is an unverified example.
        related: Ids of related articles.
        rule: A dated rule of ``policies/`` (``<file>.<entry>``) whose statement the answer
            quotes where it writes ``{rule}``, so the answer and the service cannot disagree.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: NonEmptyText
    title: NonEmptyText
    topic: NonEmptyText
    questions: tuple[NonEmptyText, ...] = Field(min_length=3)
    answer: NonEmptyText
    source: Source
    effective_from: date
    review_by: date
    last_editor: NonEmptyText
    sample: bool = Field(default=False, validate_default=True)
    related: tuple[str, ...] = ()
    rule: str | None = Field(default=None, validate_default=True)

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str, info: ValidationInfo) -> str:
        if not _KEBAB.match(value):
            raise ValueError("id 只能用小写英文字母、数字和连字符，例如 marriage-documents-2025")
        slug = _context(info).get("slug")
        if slug is not None and value != slug:
            raise ValueError(f"id「{value}」必须与文件名「{slug}.yml」一致")
        return value

    @field_validator("topic")
    @classmethod
    def _check_topic(cls, value: str, info: ValidationInfo) -> str:
        context = _context(info)
        folder = context.get("folder")
        if folder is not None and value != folder:
            raise ValueError(f"topic「{value}」必须与所在文件夹「{folder}」一致")
        topics = context.get("topics")
        if topics is not None and value not in topics:
            known = "、".join(sorted(topics))
            raise ValueError(f"topic「{value}」不在 topics.yml 中（已有：{known}）")
        return value

    @field_validator("questions")
    @classmethod
    def _unique_questions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        seen: set[str] = set()
        for question in value:
            if question in seen:
                raise ValueError(f"示例问题「{question}」重复")
            seen.add(question)
        return value

    @field_validator("related")
    @classmethod
    def _check_related(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        for related_id in value:
            if not _KEBAB.match(related_id):
                raise ValueError(f"related 中的「{related_id}」不是有效的文章 id")
            if related_id == info.data.get("id"):
                raise ValueError("related 不能引用文章自己")
        return value

    @field_validator("review_by")
    @classmethod
    def _review_after_effective(cls, value: date, info: ValidationInfo) -> date:
        effective_from = info.data.get("effective_from")
        if isinstance(effective_from, date) and value <= effective_from:
            raise ValueError("review_by（复核日期）必须晚于 effective_from（生效日期）")
        return value

    @field_validator("sample")
    @classmethod
    def _sample_marked(cls, value: bool, info: ValidationInfo) -> bool:
        source = info.data.get("source")
        if isinstance(source, Source) and value != (source.confidence == "sample"):
            raise ValueError("sample: true 与 source.confidence: sample 必须同时使用")
        answer = info.data.get("answer")
        if value and isinstance(answer, str) and SAMPLE_MARKER not in answer:
            raise ValueError(f"示例内容的 answer 必须写明「（{SAMPLE_MARKER}）」")
        return value

    @field_validator("rule")
    @classmethod
    def _rule_quoted(cls, value: str | None, info: ValidationInfo) -> str | None:
        answer = info.data.get("answer")
        quoted = isinstance(answer, str) and RULE_PLACEHOLDER in answer
        if value is None and quoted:
            raise ValueError(
                f"answer 里有 {RULE_PLACEHOLDER}，请用 rule: <政策文件>.<条目> 指明规则"
            )
        if value is not None and not _RULE_REFERENCE.match(value):
            raise ValueError("rule 的写法是 <政策文件名>.<条目>，例如 marriage_booking.weekend")
        if value is not None and not quoted:
            raise ValueError(
                f"引用了 rule 时，answer 里要写 {RULE_PLACEHOLDER}，规则原文会放在这里"
            )
        return value


class Contact(BaseModel):
    """A phone line the assistant may give out (``contacts.yml``).

    Attributes:
        id: Unique kebab-case id, e.g. ``hotline-12345``.
        name: Name of the line as citizens know it.
        number: The number to dial.
        purpose: What the line is for.
        well_known: True for the nationwide emergency numbers (110/120/119), which need no source.
        source: Where the number comes from (required unless ``well_known``).
        as_of: Date the number was last confirmed by the source.
        sample: True when the number is not verified.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: NonEmptyText
    name: NonEmptyText
    number: NonEmptyText
    purpose: NonEmptyText
    well_known: bool = False
    source: Source | None = Field(default=None, validate_default=True)
    as_of: date | None = None
    sample: bool = Field(default=False, validate_default=True)

    @field_validator("source")
    @classmethod
    def _source_unless_well_known(cls, value: Source | None, info: ValidationInfo) -> Source | None:
        if value is None and not info.data.get("well_known", False):
            raise ValueError(
                "请写明号码来源（只有 110/120/119 这类全国统一号码可写 well_known: true）"
            )
        return value

    @field_validator("sample")
    @classmethod
    def _sample_marked(cls, value: bool, info: ValidationInfo) -> bool:
        source = info.data.get("source")
        is_sample_source = isinstance(source, Source) and source.confidence == "sample"
        if value != is_sample_source:
            raise ValueError("sample: true 与 source.confidence: sample 必须同时使用")
        return value


class ContactsFile(BaseModel):
    """Content of ``contacts.yml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    contacts: tuple[Contact, ...] = Field(min_length=1)


class TopicsFile(BaseModel):
    """Content of ``topics.yml``: topic code → Chinese name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    topics: dict[str, NonEmptyText] = Field(min_length=1)

    @field_validator("topics")
    @classmethod
    def _check_codes(cls, value: dict[str, str]) -> dict[str, str]:
        for code in value:
            if not _KEBAB.match(code):
                raise ValueError(f"主题代码「{code}」只能用小写英文字母、数字和连字符")
        return value


def _context(info: ValidationInfo) -> ArticleContext:
    context = info.context
    if isinstance(context, dict):
        return ArticleContext(**context)  # type: ignore[typeddict-item]
    return ArticleContext()
