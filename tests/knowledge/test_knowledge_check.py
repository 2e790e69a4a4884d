"""make kb-check: duplicates, dead references, expired dates, regression misses, exit code."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from knowledge.check import main, run_checks

TODAY = date(2026, 11, 28)


def _lines(root: Path, **kwargs: Any) -> list[str]:
    return [f.describe(root.parent) for f in run_checks(root, today=TODAY, **kwargs)]


def test_clean_folder_has_no_findings(small_kb: Path) -> None:
    assert _lines(small_kb) == []


def test_duplicate_question_across_articles_is_an_error(
    small_kb: Path, write: Callable[..., Path], make_article: Callable[..., dict[str, Any]]
) -> None:
    write(
        make_article(
            id="marriage-booking",
            title="怎么预约婚姻登记？",
            questions=[
                "结婚登记在哪里预约",
                "领证要提前多久约",
                "网上怎么预约",
                "结婚登记收费吗？",
            ],
        )
    )
    lines = _lines(small_kb, regression=False)
    assert len(lines) == 1
    line = lines[0]
    # Reported on the later file (by id), pointing at the earlier one.
    assert line.startswith("knowledge/articles/marriage/marriage-fees.yml:")
    assert "错误" in line and "结婚登记收费吗" in line and "marriage-booking.yml:" in line
    file_line = int(line.split(":")[1])
    text = (small_kb / "articles/marriage/marriage-fees.yml").read_text(encoding="utf-8")
    assert "结婚登记收费吗" in text.splitlines()[file_line - 1]


def test_same_words_in_another_order_is_a_warning(
    small_kb: Path, write: Callable[..., Path], make_article: Callable[..., dict[str, Any]]
) -> None:
    write(
        make_article(
            id="marriage-booking",
            title="怎么预约婚姻登记？",
            questions=["结婚登记在哪里预约", "领证要提前多久约", "网上怎么预约", "收费吗结婚登记"],
        )
    )
    lines = _lines(small_kb, regression=False)
    assert len(lines) == 1 and "警告" in lines[0] and "顺序不同" in lines[0]


def test_dead_related_reference_is_an_error(
    small_kb: Path, write: Callable[..., Path], make_article: Callable[..., dict[str, Any]]
) -> None:
    write(make_article(related=["marriage-cooling-off", "marriage-gone"]))
    lines = _lines(small_kb)
    assert len(lines) == 1
    assert "错误" in lines[0] and "marriage-gone" in lines[0]
    assert lines[0].startswith("knowledge/articles/marriage/marriage-fees.yml:")


def test_expired_review_date_is_a_warning(
    small_kb: Path, write: Callable[..., Path], make_article: Callable[..., dict[str, Any]]
) -> None:
    write(make_article(effective_from="2024-01-01", review_by="2026-11-27"))
    lines = _lines(small_kb)
    assert len(lines) == 1
    assert "警告" in lines[0] and "2026-11-27" in lines[0] and "marriage-fees.yml" in lines[0]


def test_example_question_finding_another_article_is_an_error(
    small_kb: Path, write: Callable[..., Path], make_article: Callable[..., dict[str, Any]]
) -> None:
    # The title of marriage-cooling-off, used as a question of another article, finds its owner.
    write(
        make_article(
            id="marriage-divorce",
            title="协议离婚要带什么？",
            questions=[
                "协议离婚要带什么",
                "离婚要带结婚证吗",
                "离婚冷静期是多久",
                "办离婚要准备什么",
            ],
        )
    )
    lines = _lines(small_kb)
    misses = [line for line in lines if "检索到的第一名" in line]
    assert misses, lines
    assert all("错误" in line for line in misses)


def test_schema_error_is_reported_with_line(
    small_kb: Path, write: Callable[..., Path], make_article: Callable[..., dict[str, Any]]
) -> None:
    write(make_article(effective_from="明年"))
    lines = _lines(small_kb)
    assert len(lines) == 1
    assert "effective_from" in lines[0] and "日期格式" in lines[0]


def test_main_exit_codes(
    small_kb: Path,
    write: Callable[..., Path],
    make_article: Callable[..., dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--root", str(small_kb), "--today", "2026-11-28"]) == 0
    assert "0 个错误" in capsys.readouterr().out
    write(make_article(effective_from="2024-01-01", review_by="2025-01-01"))
    assert main(["--root", str(small_kb), "--today", "2026-11-28"]) == 0  # warning only
    write(make_article(related=["nope"]))
    assert main(["--root", str(small_kb), "--today", "2026-11-28"]) == 1
    assert "1 个错误" in capsys.readouterr().out


def test_real_knowledge_base_passes_the_check() -> None:
    root = Path(__file__).resolve().parents[2] / "knowledge"
    findings = run_checks(root, today=TODAY)
    assert [f.describe(root.parent) for f in findings if f.level == "错误"] == []
