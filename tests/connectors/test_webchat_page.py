"""The web chat page template, its labels file and the renderer that joins them."""

from __future__ import annotations

import html
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from connectors.webchat.page import (
    INDEX_TEMPLATE,
    STATIC_DIR,
    STRINGS_FILE,
    WebchatStringsError,
    load_strings,
    render_index,
    render_privacy,
    template_keys,
)
from core.privacy import load_privacy
from core.settings import get_settings

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def labels_copy(tmp_path: Path, **changes: object) -> Path:
    """A copy of the real labels file with some keys changed (None removes a key)."""
    data = yaml.safe_load(STRINGS_FILE.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    path = tmp_path / "strings.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.in_title = False
        self.attributes: dict[str, dict[str, str | None]] = {}
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "title":
            self.in_title = True
        if values.get("id"):
            self.attributes[str(values["id"])] = values
        self.urls += [str(values[name]) for name in ("src", "href") if values.get(name)]

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data


def parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    return collector


def test_the_page_is_rendered_with_every_label_filled():
    page = render_index(STRINGS_FILE)

    assert "{{" not in page and "}}" not in page
    parsed = parse(page)
    assert parsed.title == "杭州市民政局 智能助手"
    assert 'lang="zh-CN"' in page
    assert parsed.attributes["message-input"]["placeholder"] == "请输入您想办理或咨询的事情"
    assert parsed.attributes["ui-strings"]["data-staff-named"] == "人工客服 · {name}"
    assert (
        ">大字模式</button>" in page and ">重新开始</button>" in page and ">发送</button>" in page
    )


def test_labels_are_html_escaped_in_text_and_attributes(tmp_path):
    hostile = '"><script>alert(1)</script>&'
    strings = labels_copy(tmp_path, page_title=hostile, input_placeholder=hostile)

    page = render_index(strings)

    assert "<script>alert(1)" not in page
    escaped = "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;"
    assert f"<title>{escaped}</title>" in page
    parsed = parse(page)
    assert parsed.title == hostile
    assert parsed.attributes["message-input"]["placeholder"] == hostile


def test_a_missing_label_is_named_in_the_error(tmp_path):
    strings = labels_copy(tmp_path, send_button=None, typing=None)

    with pytest.raises(WebchatStringsError, match="send_button, typing"):
        render_index(strings)


@pytest.mark.parametrize(
    "content",
    ["- just\n- a list\n", "send_button:\n  nested: 发送\n", "send_button: [发送]\n"],
)
def test_labels_must_be_a_flat_mapping_of_texts(tmp_path, content):
    path = tmp_path / "strings.yml"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(WebchatStringsError):
        load_strings(path)


def test_the_rendering_is_cached_until_the_labels_file_changes(tmp_path):
    strings = labels_copy(tmp_path)
    first = render_index(strings)
    assert render_index(strings) is first

    labels_copy(tmp_path, send_button="提交")
    stat = strings.stat()
    os.utime(strings, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    assert ">提交</button>" in render_index(strings)


def test_every_label_is_used_and_every_placeholder_has_a_label():
    assert set(load_strings(STRINGS_FILE)) == template_keys()


def test_static_files_hold_no_chinese_text():
    """All Chinese of the page lives in strings.yml, where editors can change it."""
    for path in STATIC_DIR.iterdir():
        if path.suffix not in {".html", ".js", ".css"}:
            continue  # the icon is an image
        offending = [
            line for line in path.read_text(encoding="utf-8").splitlines() if CJK.search(line)
        ]
        assert offending == [], path.name


def test_the_page_loads_nothing_from_other_sites():
    """The machine (and many office networks) has no internet: no CDN, fonts or trackers."""
    parsed = parse(render_index(STRINGS_FILE))
    assert parsed.urls, "expected the page's own stylesheet and script"
    for url in parsed.urls:
        assert url.startswith(("/static/webchat/", "data:", "tel:", "/privacy", "/favicon.ico")), (
            url
        )
    assert "url(" not in (STATIC_DIR / "chat.css").read_text(encoding="utf-8")
    scripts = "\n".join(p.read_text(encoding="utf-8") for p in sorted(STATIC_DIR.glob("*.js")))
    assert re.findall(r"""(?:fetch|EventSource)\(\s*["'`]https?:""", scripts) == []
    assert re.findall(r"""\bimport\b[^;]*?from\s*["'`](?!\./)""", scripts) == []  # own modules only
    assert 'fetch("/api/chat"' in scripts


def test_the_page_is_mobile_ready():
    page = INDEX_TEMPLATE.read_text(encoding="utf-8")
    assert re.search(r'<meta name="viewport" content="width=device-width, initial-scale=1', page)
    assert 'role="log"' in page and 'aria-live="polite"' in page
    assert '<label class="visually-hidden" for="message-input">' in page


def test_the_privacy_page_says_why_how_long_who_and_how_to_decline() -> None:
    page = render_privacy()
    for heading in ("为什么需要", "保存多久", "谁能看到", "不想提供怎么办"):
        assert f"<h2>{heading}</h2>" in page
    assert "180 天" in page and "算了" in page
    assert 'href="/privacy"' in render_index()  # the chat page links to it


def test_the_privacy_page_is_escaped_and_refuses_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "privacy.yml"
    path.write_text(
        "title: 说明\nupdated: 2026-12-04\nintro: <b>x</b>\nnotice: '{asks}'\n"
        "headings: {why: 为什么, protection: 保护, kept: 多久, who: 谁, decline: 不提供}\n"
        "common: {protection: ['<script>1</script>'], kept: ['{retention_days} 天']}\n"
        "services: {s: {name: 预约, asks: 电话, why: 回电, keep: 一年, who: 热线,"
        " decline: 拨打}}\n",
        encoding="utf-8",
    )
    page = render_privacy(path)
    assert "<script>1" not in page and "&lt;script&gt;" in page and "&lt;b&gt;" in page
    assert f"<li>{get_settings().retention_days} 天</li>" in page
    assert "<li>预约：回电</li>" in page and "<li>预约：一年。</li>" in page
    path.write_text("title: 说明\n", encoding="utf-8")
    with pytest.raises(WebchatStringsError):
        render_privacy(path)


def test_the_page_and_the_chat_notice_say_the_same_per_service() -> None:
    page = render_privacy()
    text = load_privacy(retention_days=get_settings().retention_days)
    for key, service in text.services.items():
        notice = text.short_notice(key, page_url="/privacy")
        for sentence in (service.why, service.keep, service.who, service.decline):
            assert sentence in notice
            assert html.escape(sentence) in page
