"""Which unanswered messages editors see: only what reads as a citizen's question.

The list of unanswered questions (`GET /api/knowledge/unanswered`) tells editors which articles
to write next. A message is kept for it only when it passes every test of `is_real_question`:

1. it is not a button payload (`/intent…`);
2. it has 2 to 200 characters (a question longer than that is a complaint or pasted text, not a
   line to answer with an article);
3. it has at least 2 Chinese characters (the knowledge base answers in Chinese);
4. it is not one character over and over: no character makes up more than half of the letters
   (punctuation and spaces not counted), and no character repeats 5 times in a row
   ("啊啊啊啊啊…", "哈哈哈哈哈哈什么");
5. it carries no markup or code: no HTML tag (`<script>`, `<img`, `</…`), no `javascript:`, no
   template marker (`{{`, `${`), no SQL statement (a SELECT / INSERT / UPDATE / DELETE / DROP /
   UNION / ALTER / CREATE / EXEC followed by FROM / INTO / TABLE / SET / WHERE / SELECT, a
   `' OR 1=1` style test, or an SQL comment `--` / `/*`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

MIN_CHARS = 2
MAX_CHARS = 200
MIN_HAN = 2
LONGEST_RUN = 4  # five of one character in a row is noise

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_RUN = re.compile(rf"(.)\1{{{LONGEST_RUN},}}")
_MARKUP = re.compile(r"<\s*[/!?]?\s*[A-Za-z]|javascript\s*:|\{\{|\$\{", re.IGNORECASE)
_SQL = re.compile(
    r"\b(select|insert|update|delete|drop|union|alter|create|exec)\b"
    r".*\b(from|into|table|set|where|select)\b"
    r"|'\s*(or|and)\s+'?\w+'?\s*=\s*'?\w+"
    r"|--|/\*",
    re.IGNORECASE | re.DOTALL,
)


def _letters(text: str) -> list[str]:
    """The characters that carry meaning: letters and digits, no punctuation, spaces or symbols."""
    return [char for char in text if unicodedata.category(char)[0] in "LN"]


def is_repetitive(text: str) -> bool:
    """True when one character makes up more than half of the letters, or repeats 5 times."""
    if _RUN.search(text):
        return True
    letters = _letters(text)
    if not letters:
        return True
    _, most = Counter(letters).most_common(1)[0]
    return most * 2 > len(letters)


def has_code(text: str) -> bool:
    """True when the text carries markup, a script, a template marker or SQL."""
    return bool(_MARKUP.search(text) or _SQL.search(text))


def is_real_question(text: str) -> bool:
    """True when `text` belongs in the editors' list of unanswered questions (rules above)."""
    cleaned = text.strip()
    if cleaned.startswith("/"):
        return False
    if not MIN_CHARS <= len(cleaned) <= MAX_CHARS:
        return False
    if len(_HAN.findall(cleaned)) < MIN_HAN:
        return False
    return not (is_repetitive(cleaned) or has_code(cleaned))
