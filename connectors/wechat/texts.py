"""The WeChat channel's own citizen-facing texts, read from `connectors/wechat/messages.yml`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from connectors.messages import hotline, message

TEXTS_FILE = Path(__file__).with_name("messages.yml")


@lru_cache(maxsize=1)
def _texts() -> dict[str, Any]:
    with TEXTS_FILE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def wechat_text(key: str, **values: object) -> str:
    """The text `key` with its placeholders filled (the hotline ones are filled for you)."""
    template = str(_texts()[key])
    return template.format(hotline=hotline(), hotline_name=message("hotline_name"), **values)
