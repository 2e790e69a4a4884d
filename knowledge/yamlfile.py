"""Read editor YAML files with line numbers; turn validation errors into clear messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)


class KnowledgeError(Exception):
    """A knowledge file that cannot be used, with the place an editor has to fix.

    Attributes:
        path: The file.
        line: 1-based line number, when known.
        field: Dotted field name (``source.url``, ``questions[2]``), when known.
        message: What is wrong, in words an editor understands.
    """

    def __init__(
        self, path: Path, message: str, *, line: int | None = None, field: str | None = None
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.message = message
        super().__init__(self.describe())

    def describe(self, relative_to: Path | None = None) -> str:
        """Return ``path:line: field: message``, with the path relative to a folder if given.

        Args:
            relative_to: Folder to shorten the path against.

        Returns:
            One line pointing at the problem.
        """
        path = self.path
        if relative_to is not None and path.is_relative_to(relative_to):
            path = path.relative_to(relative_to)
        where = f"{path}:{self.line}" if self.line is not None else str(path)
        field = f"{self.field}: " if self.field else ""
        return f"{where}: {field}{self.message}"


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: the plain data and the node tree that knows line numbers.

    Attributes:
        path: The file.
        data: The parsed content.
        node: The root node (``None`` for an empty file).
    """

    path: Path
    data: Any
    node: yaml.Node | None

    def line_of(self, location: Sequence[str | int]) -> int | None:
        """Return the 1-based line of a value addressed like a pydantic error ``loc``.

        Args:
            location: Keys and list indexes from the root, e.g. ``("questions", 2)``.

        Returns:
            The line of the deepest part of the location that exists in the file.
        """
        node = self.node
        if node is None:
            return None
        line = node.start_mark.line + 1
        for part in location:
            child = _child(node, part)
            if child is None:
                break
            key_node, node = child
            line = (key_node or node).start_mark.line + 1
        return line


def read_yaml(path: Path) -> YamlDocument:
    """Parse a UTF-8 YAML file, rejecting duplicate keys.

    Args:
        path: The file to read.

    Returns:
        The parsed document.

    Raises:
        KnowledgeError: The file is not UTF-8, not valid YAML, or repeats a key.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise KnowledgeError(path, f"文件不是 UTF-8 编码（第 {error.start} 字节）") from error
    except OSError as error:
        raise KnowledgeError(path, f"无法读取文件：{error.strerror}") from error
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _reject_duplicate_keys(path, node)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or str(error)
        raise KnowledgeError(path, f"YAML 格式错误：{problem}", line=line) from error
    except yaml.YAMLError as error:
        raise KnowledgeError(path, f"YAML 格式错误：{error}") from error
    finally:
        loader.dispose()
    return YamlDocument(path=path, data=data, node=node)


def validate_document(
    document: YamlDocument, model: type[ModelT], context: Mapping[str, Any] | None = None
) -> ModelT:
    """Validate a parsed document against a model.

    Args:
        document: The parsed file.
        model: The pydantic model to build.
        context: Validation context passed to the model's validators.

    Returns:
        The validated model.

    Raises:
        KnowledgeError: For the first problem found, with its line and field.
    """
    errors = validation_errors(document, model, context)
    if isinstance(errors, BaseModel):
        return errors
    raise errors[0]


def read_optional_document(path: Path, model: type[ModelT]) -> ModelT | None:
    """Read and validate an optional file: None when it is absent or empty.

    Raises:
        KnowledgeError: When the file exists but is invalid.
    """
    if not path.is_file():
        return None
    document = read_yaml(path)
    if document.data is None:
        return None
    return validate_document(document, model)


def validation_errors(
    document: YamlDocument, model: type[ModelT], context: Mapping[str, Any] | None = None
) -> ModelT | list[KnowledgeError]:
    """Validate a parsed document and return the model or every problem found.

    Args:
        document: The parsed file.
        model: The pydantic model to build.
        context: Validation context passed to the model's validators.

    Returns:
        The validated model, or the list of problems (never empty).
    """
    if not isinstance(document.data, dict):
        return [KnowledgeError(document.path, "文件内容应为“字段: 值”形式的键值对", line=1)]
    try:
        return model.model_validate(document.data, context=dict(context or {}))
    except ValidationError as error:
        problems = []
        for detail in error.errors():
            location = tuple(detail["loc"])
            problems.append(
                KnowledgeError(
                    document.path,
                    _explain(detail),
                    line=document.line_of(location),
                    field=_dotted(location) or None,
                )
            )
        return problems


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == str(part):
                return key_node, value_node
    elif (
        isinstance(node, yaml.SequenceNode)
        and isinstance(part, int)
        and 0 <= part < len(node.value)
    ):
        return None, node.value[part]
    return None


def _reject_duplicate_keys(path: Path, node: yaml.Node) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                raise KnowledgeError(
                    path,
                    f"字段「{key}」重复出现",
                    line=key_node.start_mark.line + 1,
                    field=key,
                )
            seen.add(key)
            _reject_duplicate_keys(path, value_node)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _reject_duplicate_keys(path, item)


def _dotted(location: Sequence[str | int]) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（是否拼写错误？）",
    "string_type": "应为文字",
    "date_type": "日期格式应为 YYYY-MM-DD，例如 2025-05-10",
    "date_parsing": "日期格式应为 YYYY-MM-DD，例如 2025-05-10",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD，例如 2025-05-10",
    "date_from_datetime_inexact": "日期只写年月日，不写时间",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "tuple_type": "应为列表（每项一行，以“- ”开头）",
    "list_type": "应为列表（每项一行，以“- ”开头）",
    "dict_type": "应为“字段: 值”形式的键值对",
    "model_type": "应为“字段: 值”形式的键值对",
    "model_attributes_type": "应为“字段: 值”形式的键值对",
}


def _explain(detail: Mapping[str, Any]) -> str:
    error_type = str(detail.get("type", ""))
    context = detail.get("ctx") or {}
    if error_type == "value_error":
        return str(context.get("error", detail.get("msg", "")))
    if error_type == "too_short":
        return f"至少需要 {context.get('min_length')} 项"
    if error_type == "literal_error":
        return f"应为以下之一：{context.get('expected')}"
    return _MESSAGES.get(error_type, str(detail.get("msg", "")))
