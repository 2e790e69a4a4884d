"""bench/mix.py, bench/mix_report.py: the mix's composition and the table's shape (no timings)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import yaml

from bench.anchor import ANCHOR_DIR, anchor_files, anchor_fingerprint, cache_dir
from bench.citizen_scripts import Identities
from bench.mix import (
    RESUME_MARK,
    SERVICES,
    Level,
    LevelResult,
    Sample,
    Send,
    Target,
    anchor_scripts,
    mix_scripts,
    rasa_reply,
    run_interleaved,
)
from bench.mix_report import ANCHOR, COLUMNS, GATEWAY, RASA, Row, markdown, table_rows, verdicts
from testkit.gateway_chat import BotReply
from testkit.script_format import parse_script
from testkit.stack_basics import MODELS_DIR


def test_the_mix_starts_each_service_once() -> None:
    tags = sorted(tag for loaded in mix_scripts().values() for tag in loaded.script.tags)
    assert tags == sorted(SERVICES)


def test_each_conversation_asks_a_knowledge_question_mid_form_and_finishes() -> None:
    for name, loaded in mix_scripts().items():
        turns = loaded.script.turns
        side = [i for i, turn in enumerate(turns) if RESUME_MARK in "".join(turn.expect.contains)]
        assert side, f"{name}: no knowledge question inside the form"
        assert 0 < side[0] < len(turns) - 2, f"{name}: the question is not in the middle"
        last = turns[-1].expect
        assert last.matches or last.buttons, f"{name}: the last turn checks no result"


def test_the_anchor_is_small_with_one_custom_action_and_trains_outside_models() -> None:
    domain = yaml.safe_load((ANCHOR_DIR / "domain.yml").read_text(encoding="utf-8"))
    assert domain["actions"] == ["action_tell_office_hours"]
    assert len(domain["intents"]) <= 6
    config = yaml.safe_load((ANCHOR_DIR / "config.yml").read_text(encoding="utf-8"))
    assert config["pipeline"][0]["name"] == "JiebaTokenizer"
    assert MODELS_DIR not in cache_dir().parents
    assert len(anchor_fingerprint()) == 16
    assert ANCHOR_DIR / "conversation.yml" not in anchor_files()  # the script retrains nothing
    (anchor,) = anchor_scripts().values()
    assert any("办事时间" in turn.expect.contains for turn in anchor.script.turns)


def test_a_rasa_reply_reads_texts_and_buttons() -> None:
    button = {"title": "明天", "payload": "/a"}
    reply = rasa_reply([{"recipient_id": "x", "text": "请问哪天？", "buttons": [button]}])
    assert reply.text == "请问哪天？"
    assert [b.title for b in reply.buttons] == ["明天"]


def _result(
    target: str, level: int | Level, latencies: list[float], seconds: float = 10
) -> LevelResult:
    samples = [Sample("x", latency, True, 0.0) for latency in latencies]
    at = level if isinstance(level, Level) else Level(level)
    return LevelResult(target=target, level=at, seconds=seconds, samples=samples)


def test_the_table_has_every_target_and_level_with_ratios_to_the_anchor() -> None:
    rows = [
        Row.of(_result(target, level, [factor * v for v in range(1, 21)]))
        for level in (1, 20)
        for target, factor in ((ANCHOR, 1.0), (RASA, 2.0), (GATEWAY, 2.1))
    ]
    cells = table_rows(rows)
    assert len(cells) == 6
    assert all(len(row) == len(COLUMNS) for row in cells)
    assert [row[-3] for row in cells] == ["1.00", "2.00", "2.10"] * 2  # p50 × anchor
    assert markdown(rows).count("\n") == 7
    lines = verdicts(rows)
    assert len(lines) == 5
    assert lines[0].endswith("NOT met")  # 2.0× the anchor's p50
    assert lines[-1].endswith("met") and "NOT" not in lines[-1]  # gateway 1.05× Rasa


def test_a_paced_level_reads_its_think_time_and_is_judged_apart() -> None:
    paced = Level.parse("20@3")
    assert (paced.conversations, paced.think_seconds, paced.paced) == (20, 3.0, True)
    assert Level.parse("20") == Level(20) and not Level(20).paced
    assert paced.label == "20 @3 s"
    rows = [
        Row.of(_result(target, level, [factor * v for v in range(1, 21)], seconds=seconds))
        for level, seconds in ((Level(20), 10), (paced, 40))
        for target, factor in ((ANCHOR, 100.0), (RASA, 90.0), (GATEWAY, 95.0))
    ]
    assert [row[0] for row in table_rows(rows)] == ["20"] * 3 + ["20 @3 s"] * 3
    lines = verdicts(rows)
    # throughput is judged on the closed loop (the paced level's rate is the citizens' pace)
    throughput = [line for line in lines if "msg/s" in line]
    assert len(throughput) == 1 and throughput[0].startswith("- 20 conversations")
    p95 = [line for line in lines if "p95" in line]
    assert [line.split(",")[0] for line in p95] == ["- 20 conversations", "- 20 @3 s conversations"]
    assert all(line.endswith("NOT met") for line in p95)  # 1.9 s in both (made-up latencies)


def test_one_conversation_level_alternates_the_targets_message_by_message() -> None:
    script = parse_script(
        'version: "3.1"\ntitle: 测试\ntags: [anchor]\nturns:\n'
        "  - user: 你好\n    expect:\n      contains: [您好]\n"
        "  - user: 谢谢\n    expect:\n      contains: [不客气]\n",
        path=Path("fake.yml"),
    )
    sent: list[str] = []
    in_flight = 0

    def fake(name: str) -> Send:
        async def send(_client: httpx.AsyncClient, _sender: str, message: str) -> BotReply:
            nonlocal in_flight
            in_flight += 1
            assert in_flight == 1, "two messages in flight at once"
            sent.append(name)
            await asyncio.sleep(0.001)
            in_flight -= 1
            return BotReply.from_gateway(
                {"messages": [{"text": "您好" if message == "你好" else "不客气"}]}
            )

        return send

    targets = [Target(name, {"s": script}, fake(name)) for name in ("a", "b", "c")]
    results = asyncio.run(run_interleaved(targets, seconds=0.3, identities=Identities(seed=1)))
    assert [r.target for r in results] == ["a", "b", "c"]
    assert all(r.samples and not r.problems and r.completed for r in results)
    counts = [len(r.samples) for r in results]
    assert max(counts) - min(counts) <= 1
    # every round of three messages has each target once, the first of the round rotating
    rounds = [sent[i : i + 3] for i in range(0, len(sent) - 2, 3)]
    assert all(sorted(r) == ["a", "b", "c"] for r in rounds)
    assert [r[0] for r in rounds[:3]] == ["a", "b", "c"]
    # messages per second is that of the time each target spent answering
    assert all(r.seconds == sum(s.latency_ms for s in r.samples) / 1000 for r in results)
