"""The citizen web chat page: `static/index.html` with its `{{ key }}` labels filled from YAML.

Every Chinese label of the page lives in `strings.yml`; the template holds none. The rendered page
is cached per file version, so an editor's change to `strings.yml` shows on the next request
without a restart, and an unchanged page costs two `stat` calls.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path

import yaml

from core.privacy import PRIVACY_FILE, PrivacyTextError, load_privacy
from core.settings import get_settings

WEBCHAT_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEBCHAT_DIR / "static"
INDEX_TEMPLATE = STATIC_DIR / "index.html"
STRINGS_FILE = WEBCHAT_DIR / "strings.yml"

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


class WebchatStringsError(ValueError):
    """`strings.yml` is malformed or lacks a label the page template uses."""


def render_index(strings_path: str | Path = STRINGS_FILE) -> str:
    """Return the chat page with every `{{ key }}` replaced by the HTML-escaped label `key`.

    Args:
        strings_path: The YAML file of labels (a flat mapping of key to text).

    Returns:
        The complete HTML document.

    Raises:
        WebchatStringsError: The labels file is not a flat mapping of strings, or a placeholder of
            the template has no label.
        OSError: A file cannot be read.
    """
    strings_file = Path(strings_path).resolve()
    return _render_cached(
        strings_file,
        strings_file.stat().st_mtime_ns,
        INDEX_TEMPLATE.stat().st_mtime_ns,
    )


def load_strings(strings_path: str | Path = STRINGS_FILE) -> dict[str, str]:
    """Read the page's labels.

    Args:
        strings_path: The YAML file of labels.

    Returns:
        Label text by key.

    Raises:
        WebchatStringsError: The file is not a flat mapping of strings.
    """
    with Path(strings_path).open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise WebchatStringsError(f"{strings_path}: expected a mapping of key: text")
    strings: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(key, str) or not isinstance(value, str | int):
            raise WebchatStringsError(f"{strings_path}: {key!r} must map to a text, not {value!r}")
        strings[key] = str(value)
    return strings


def template_keys() -> set[str]:
    """The label keys that the page template uses."""
    return set(PLACEHOLDER.findall(INDEX_TEMPLATE.read_text(encoding="utf-8")))


# The modification times are part of the key so that an edited file is read again.
@lru_cache(maxsize=8)
def _render_cached(strings_file: Path, strings_mtime_ns: int, template_mtime_ns: int) -> str:
    strings = load_strings(strings_file)
    template = INDEX_TEMPLATE.read_text(encoding="utf-8")

    missing = sorted(set(PLACEHOLDER.findall(template)) - strings.keys())
    if missing:
        raise WebchatStringsError(f"{strings_file}: no label for {', '.join(missing)}")

    def fill(match: re.Match[str]) -> str:
        return html.escape(strings[match.group(1)], quote=True)

    return PLACEHOLDER.sub(fill, template)


def render_privacy(privacy_path: str | Path = PRIVACY_FILE) -> str:
    """The personal-information notice page (`/privacy`) from `core/privacy.yml`, HTML-escaped.

    The chat's short notice (actions/privacy_notice.py) is made from the same file.

    Raises:
        WebchatStringsError: The file lacks a part the page needs.
        OSError: The file cannot be read.
    """
    try:
        text = load_privacy(Path(privacy_path), retention_days=get_settings().retention_days)
    except PrivacyTextError as error:
        raise WebchatStringsError(str(error)) from error
    esc = html.escape
    body = "".join(
        f"<h2>{esc(heading)}</h2><ul>{''.join(f'<li>{esc(item)}</li>' for item in items)}</ul>"
        for heading, items in text.page_sections()
    )
    title = esc(text.title)
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{title}</title><link rel="icon" href="data:,"></head>'
        f"<body><main><h1>{title}</h1><p>{esc(text.intro)}</p>{body}"
        f"<p>更新日期：{esc(text.updated)}</p>"
        '<p><a href="/">返回智能助手</a></p></main></body></html>'
    )
