"""Source quality: an editor can open every source, and "official" means a government or legal text.

* A verified (non-sample) article must link its source (error): an editor has to be able to open it.
* ``confidence: official`` is for government pages (``*.gov.cn``) and reproductions of a legal or
  government document (the title names it in 《》 or by its number, e.g. 杭政办函〔2025〕70号);
  anything else is ``press`` or ``third_party`` (error).
* Sample articles without a link are listed in one warning, so editors see what is left to source.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from knowledge.findings import Finding
from knowledge.loader import KnowledgeBase
from knowledge.schema import Source

GOVERNMENT_HOSTS = (".gov.cn", ".gov")
_DOCUMENT = re.compile(r"《[^》]+》|〔\d{4}〕\d+号")
LISTED = 12


def check_sources(kb: KnowledgeBase) -> list[Finding]:
    """Unlinked verified sources and misused ``official`` (errors), unlinked samples (warning)."""
    findings = []
    unlinked_samples = []
    for article in kb.articles:
        location = kb.locations[article.id]
        line = location.field_lines.get("source")
        source = article.source
        if source.url is None and article.sample:
            unlinked_samples.append(article.id)
        elif source.url is None:
            findings.append(
                Finding(
                    "错误",
                    location.path,
                    line,
                    "来源没有网址，编辑无法打开核对：请补上能打开的网址，"
                    "找不到的请改为示例内容（sample: true，confidence: sample）",
                )
            )
        if source.confidence == "official" and not is_official(source):
            findings.append(
                Finding(
                    "错误",
                    location.path,
                    line,
                    f"confidence: official 只用于政府网站（*.gov.cn）或法律、政府文件原文，"
                    f"「{source.title}」请改为 press 或 third_party",
                )
            )
    if unlinked_samples:
        shown = "、".join(unlinked_samples[:LISTED])
        more = f" 等 {len(unlinked_samples)} 篇" if len(unlinked_samples) > LISTED else ""
        findings.append(
            Finding(
                "警告",
                kb.root / "articles",
                None,
                f"示例文章的来源没有网址（待核实后补上）：{shown}{more}",
            )
        )
    return findings


def is_official(source: Source) -> bool:
    """A government page, or a reproduction of a named legal or government document."""
    host = (urlparse(source.url).hostname or "") if source.url else ""
    return host.endswith(GOVERNMENT_HOSTS) or bool(_DOCUMENT.search(source.title))
