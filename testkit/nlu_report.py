"""The HTML page of `make eval-nlu` (reports/nlu/index.html): numbers, tables, pictures, errors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path

from testkit.nlu_scores import (
    FALLBACK,
    OUT_OF_SCOPE,
    ROUTING_OK,
    SERVICE_STEMS,
    TARGET_ACCURACY,
    TARGET_OOS_REJECTION,
    IntentScore,
    Summary,
)
from zhtext.city_time import city_now

STYLE = """
body { font-family: system-ui, "PingFang SC", "Noto Sans CJK SC", sans-serif; margin: 2em;
       max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.bad { background: #fde2e1; } .ok { background: #e3f6e3; }
img { max-width: 100%; border: 1px solid #ddd; }
"""

PICTURES = (
    ("intent_confusion_matrix.png", "意图混淆矩阵 / intent confusion matrix"),
    ("intent_histogram.png", "置信度分布 / confidence histogram"),
    ("DIETClassifier_confusion_matrix.png", "实体混淆矩阵 / entity confusion matrix"),
)


def write_html(summary: Summary, path: Path) -> None:
    """Write the report page next to the pictures Rasa drew."""
    sections = [
        _headline(summary),
        _scores_section("各意图得分（按 F1 从低到高）/ per intent", summary.intents),
        _scores_section("实体得分 / entities", summary.entities, empty="测试集中没有标注实体。"),
        _confusions(summary),
        _routing(summary),
        _pictures(path.parent),
        _errors(summary),
    ]
    page = (
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
        f"<title>NLU 评估报告</title><style>{STYLE}</style></head><body>"
        f"<h1>NLU 评估报告（留出测试集 tests/nlu）</h1>"
        f"<p>生成时间 {city_now():%Y-%m-%d %H:%M}；"
        f"{_text_mode(summary)}。"
        "原始文件：intent_report.json、intent_errors.json、intent_successes.json。</p>"
        + "".join(sections)
        + "</body></html>"
    )
    path.write_text(page, encoding="utf-8")


def _text_mode(summary: Summary) -> str:
    if summary.normalised:
        return "文本已按网关方式规范化（zhtext.normalise：繁转简、全角转半角）"
    return "原始文本（未规范化）"


def _table(header: Sequence[str], rows: Iterable[tuple[Sequence[str], str]]) -> str:
    head = "".join(f"<th>{escape(cell)}</th>" for cell in header)
    body = "".join(
        f"<tr class='{css}'>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"
        for cells, css in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _headline(summary: Summary) -> str:
    rows = [
        (["意图准确率 intent accuracy（按上线行为）", f"{summary.accuracy:.1%}",
          f"≥ {TARGET_ACCURACY:.0%}；置信度 < {summary.fallback_threshold:.2f} 按 nlu_fallback 计"],
         "ok" if summary.accuracy >= TARGET_ACCURACY else "bad"),
        (["分类器本身 classifier alone", f"{summary.classifier_accuracy:.1%}",
          "Rasa 的 intent_report.json（不计兜底）"], ""),
        (["宏平均 F1 macro F1", f"{summary.macro_f1:.3f}", "按各意图的 F1 平均（分类器本身）"], ""),
        (["超范围拒识率 OOS rejection",
          f"{summary.oos_rejection:.1%}（{summary.oos_rejected}/{summary.oos_total}）",
          f"≥ {TARGET_OOS_REJECTION:.0%}；严格口径（只算 out_of_scope 或 nlu_fallback）"
          f"{summary.oos_rejection_strict:.1%}"],
         "ok" if summary.oos_rejection >= TARGET_OOS_REJECTION else "bad"),
        (["样本数 examples", str(summary.examples),
          escape("、".join(f"{k} {v}" for k, v in sorted(summary.sources.items())))], ""),
    ]  # fmt: skip
    rows += [
        ([f"准确率 · {escape(source)}", f"{value:.1%}", ""], "")
        for source, value in summary.per_source_accuracy.items()
    ]
    if summary.copied:
        copied = "、".join(f"{text}（{source}）" for source, text in summary.copied)
        rows.append(
            (["未计入：与训练数据相同的句子", str(len(summary.copied)), escape(copied)], "bad")
        )
    return "<h2>总览 / summary</h2>" + _table(["指标", "数值", "目标 / 说明"], rows)


def _scores_section(title: str, scores: Sequence[IntentScore], *, empty: str = "无") -> str:
    if not scores:
        return f"<h2>{escape(title)}</h2><p>{escape(empty)}</p>"
    rows = [
        (
            [escape(s.intent), f"{s.precision:.2f}", f"{s.recall:.2f}", f"{s.f1:.2f}",
             str(s.support)],
            "bad" if s.f1 < TARGET_ACCURACY else "",
        )
        for s in sorted(scores, key=lambda s: (s.f1, -s.support))
    ]  # fmt: skip
    return f"<h2>{escape(title)}</h2>" + _table(
        ["意图 / 实体", "precision", "recall", "F1", "样本数"], rows
    )


def _confusions(summary: Summary) -> str:
    rows = [([escape(gold), escape(got), str(n)], "") for gold, got, n in summary.confusions]
    if not rows:
        return "<h2>混淆 / confusions</h2><p>没有识别错误。</p>"
    return "<h2>最常见的混淆 / confusions</h2>" + _table(["应为", "识别为", "次数"], rows)


def _routing(summary: Summary) -> str:
    if not summary.routing:
        return ""
    columns = [*SERVICE_STEMS, "knowledge", "base", OUT_OF_SCOPE, FALLBACK]
    rows = []
    for area, counts in summary.routing.items():
        ok = ROUTING_OK.get(area, frozenset())
        wrong = sum(n for stem, n in counts.items() if stem not in ok)
        cells = [escape(area), str(sum(counts.values()))]
        cells += [str(counts.get(column, 0)) for column in columns]
        rows.append(([*cells, str(wrong)], "bad" if wrong else "ok"))
    wrong_rows = [
        ([escape(area), escape(text), escape(intent)], "")
        for area, items in summary.routing_wrong.items()
        for text, intent in items
    ]
    return (
        "<h2>台北 FAQ 分流 / routing of Taipei FAQ questions（仅评估，不用于训练）</h2>"
        "<p>每行一个业务领域：问题落到了哪个主题。落到别的服务或基础意图算错；"
        "落到知识库、超范围或兜底算可接受。</p>"
        + _table(["领域", "数量", *columns, "错"], rows)
        + (_table(["领域", "问题", "识别为"], wrong_rows) if wrong_rows else "")
    )


def _pictures(directory: Path) -> str:
    parts = [
        f"<h3>{escape(caption)}</h3><img src='{name}' alt='{escape(caption)}'>"
        for name, caption in PICTURES
        if (directory / name).exists()
    ]
    return "<h2>图 / pictures</h2>" + "".join(parts) if parts else ""


def _errors(summary: Summary) -> str:
    rows = [
        ([escape(p.text), escape(p.gold), escape(p.predicted), f"{p.confidence:.2f}"], "")
        for p in summary.errors
    ]
    if not rows:
        return ""
    return "<h2>识别错误的句子 / errors</h2>" + _table(["句子", "应为", "识别为", "置信度"], rows)
