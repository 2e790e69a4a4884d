"""The custom menu (自定义菜单) from `menu.yml`; `python -m connectors.wechat.menu` creates it.

Menu clicks arrive as CLICK events whose EventKey is the item's payload (connectors/wechat/
inbound.py), so the assistant sees exactly what a pressed button sends.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import yaml

from connectors.wechat.api import WechatApi, WechatApiError
from core.settings import get_settings

MENU_FILE = Path(__file__).with_name("menu.yml")
MAX_TOP = 3
MAX_SUB = 5
TOP_NAME_CHARS = 4
SUB_NAME_CHARS = 8
MAX_KEY_BYTES = 128


class MenuError(ValueError):
    """menu.yml breaks one of WeChat's menu rules."""


def _leaf(item: dict[str, Any], max_chars: int) -> dict[str, Any]:
    name = str(item.get("name", "")).strip()
    if not name or len(name) > max_chars:
        raise MenuError(f"菜单名“{name}”须为 1-{max_chars} 个字")
    if "url" in item:
        return {"type": "view", "name": name, "url": str(item["url"])}
    payload = str(item.get("payload", "")).strip()
    if not payload or len(payload.encode("utf-8")) > MAX_KEY_BYTES:
        raise MenuError(f"菜单“{name}”缺少 payload，或超过 {MAX_KEY_BYTES} 字节")
    return {"type": "click", "name": name, "key": payload}


def build_menu(data: dict[str, Any]) -> dict[str, Any]:
    """The body of POST /cgi-bin/menu/create for the parsed `menu.yml`.

    Raises:
        MenuError: Too many items, names too long, or an item without payload or url.
    """
    top_items = data.get("menu") or []
    if not 1 <= len(top_items) <= MAX_TOP:
        raise MenuError(f"一级菜单须为 1-{MAX_TOP} 个")
    buttons: list[dict[str, Any]] = []
    for top in top_items:
        if "items" not in top:
            buttons.append(_leaf(top, TOP_NAME_CHARS))
            continue
        subs = top["items"] or []
        if not 1 <= len(subs) <= MAX_SUB:
            raise MenuError(f"“{top.get('name')}”的子菜单须为 1-{MAX_SUB} 个")
        name = str(top.get("name", "")).strip()
        if not name or len(name) > TOP_NAME_CHARS:
            raise MenuError(f"菜单名“{name}”须为 1-{TOP_NAME_CHARS} 个字")
        buttons.append({"name": name, "sub_button": [_leaf(s, SUB_NAME_CHARS) for s in subs]})
    return {"button": buttons}


def load_menu(path: Path = MENU_FILE) -> dict[str, Any]:
    """The menu body built from `path`."""
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return build_menu(data)


async def create_menu(api: WechatApi, path: Path = MENU_FILE) -> dict[str, Any]:
    """Create the menu of `path` through `api`; returns the body sent."""
    menu = load_menu(path)
    await api.create_menu(menu)
    return menu


async def _main() -> int:
    settings = get_settings()
    if not settings.wechat_app_id or not settings.wechat_app_secret:
        print("WECHAT_APP_ID and WECHAT_APP_SECRET must be set (.env)", file=sys.stderr)
        return 2
    api = WechatApi(
        app_id=settings.wechat_app_id,
        app_secret=settings.wechat_app_secret,
        base_url=settings.wechat_api_base,
    )
    try:
        menu = await create_menu(api)
    except (MenuError, WechatApiError) as error:
        print(f"menu not created: {error}", file=sys.stderr)
        return 1
    finally:
        await api.aclose()
    print(f"menu created: {', '.join(b['name'] for b in menu['button'])}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(_main()))
