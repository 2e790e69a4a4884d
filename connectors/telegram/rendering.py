"""Bot text → Telegram: HTML parse mode with every character escaped, links as <a>, split at 4096.

Why HTML: it needs escaping of only `<`, `>` and `&` (Markdown V2 needs 18 characters), and it
lets links be explicit anchors. Telegram's 4096-character limit counts the text after entity
parsing in UTF-16 code units, so chunks are measured on the raw text in UTF-16 units.
"""

from __future__ import annotations

import html
import re

PARSE_MODE = "HTML"
TEXT_LIMIT = 4096
# A URL ends at whitespace, quotes, angle brackets or Chinese punctuation written after it.
URL_PATTERN = re.compile(r"https?://[^\s<>\"'，。；！？、）】》]+")
# ASCII punctuation that ends a sentence rather than the URL.
_URL_TRAILING = ".,;:!?)]}"


def utf16_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def to_html(text: str) -> str:
    """Escape `text` for parse mode HTML and turn its http(s) links into anchors."""
    parts: list[str] = []
    position = 0
    for match in URL_PATTERN.finditer(text):
        url = match.group(0).rstrip(_URL_TRAILING)
        end = match.start() + len(url)
        parts.append(html.escape(text[position : match.start()], quote=False))
        escaped = html.escape(url, quote=True)
        parts.append(f'<a href="{escaped}">{escaped}</a>')
        position = end
    parts.append(html.escape(text[position:], quote=False))
    return "".join(parts)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split `text` into chunks of at most `limit` UTF-16 units, at line boundaries if possible.

    A single line longer than `limit` is cut inside the line (never inside a surrogate pair).
    """
    if utf16_length(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        for piece in _cut_line(line, limit):
            candidate = f"{current}\n{piece}" if current else piece
            if current and utf16_length(candidate) > limit:
                chunks.append(current)
                current = piece
            else:
                current = candidate
    if current.strip():
        chunks.append(current)
    return [chunk for chunk in chunks if chunk.strip()]


def _cut_line(line: str, limit: int) -> list[str]:
    if utf16_length(line) <= limit:
        return [line]
    pieces: list[str] = []
    current: list[str] = []
    units = 0
    for char in line:
        width = utf16_length(char)
        if units + width > limit:
            pieces.append("".join(current))
            current, units = [], 0
        current.append(char)
        units += width
    if current:
        pieces.append("".join(current))
    return pieces
