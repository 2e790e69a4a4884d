"""The value of each Chinese digit read on its own ("两" is 2, "〇" is 0).

Kept apart from `zhtext.numbers` so that reading a phone number does not load cn2an.
"""

from __future__ import annotations

__all__ = ["CN_DIGIT_VALUE"]

CN_DIGIT_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
