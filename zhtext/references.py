"""Reference numbers the bureau hands out, found in what citizens and the assistant wrote.

婚姻登记预约 HY-20261128-0001, 养老参观 YL-…, 捐赠 CS-… / CW-…, 救助预审 YS-20261128-3FA2C1.
Letters are read in either case ("hy-20261128-0001"), and come back upper-case.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

PREFIXES = ("HY", "YL", "CS", "CW", "YS")
_REFERENCE = re.compile(
    rf"(?<![A-Za-z0-9])(?:{'|'.join(PREFIXES)})-\d{{8}}-[0-9A-F]{{4,6}}(?![A-Za-z0-9])",
    re.IGNORECASE,
)


def find_references(texts: Iterable[str]) -> list[str]:
    """Every reference number in `texts`, upper-case, each once, in the order first seen."""
    found: list[str] = []
    for text in texts:
        for match in _REFERENCE.finditer(unicodedata.normalize("NFKC", text)):
            reference = match.group(0).upper()
            if reference not in found:
                found.append(reference)
    return found
