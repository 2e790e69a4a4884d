"""No response template in bot/domain/*.yml trips Rasa's interpolator.

Rasa fills every response's text, buttons (titles and payloads), image, custom, attachment and
quick replies through `rasa.core.nlg.interpolator.interpolate_text` whenever the domain has
slots. A `{...}` that is not a placeholder name (JSON in a button payload:
`/inform{"district":"xihu"}`) makes it log `ERROR rasa.core.nlg.interpolator` on every use.
Literal braces are written doubled (`/inform{{"district":"xihu"}}`): the interpolator gives
back single braces without an error. `rasa_interpolate` below is Rasa 3.6's function,
line for line, with the logging replaced by an exception.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from testkit.rasa_script import run_in_rasa

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DOMAIN_DIR = PROJECT_ROOT / "bot" / "domain"
# The keys of a response that Rasa 3.6 interpolates (rasa/core/nlg/response.py).
INTERPOLATED_KEYS = ("text", "image", "custom", "buttons", "attachment", "quick_replies")
PLACEHOLDER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z0-9_]+)(?P<entities>\{.*\})?$", re.DOTALL)


class InterpolatorError(Exception):
    """Where Rasa would log `ERROR rasa.core.nlg.interpolator` and keep the raw template."""


class AnyPlaceholder(dict[str, str]):
    """Values for every placeholder name an action or a slot could fill; nothing else."""

    def __missing__(self, key: object) -> str:
        if isinstance(key, str) and PLACEHOLDER.fullmatch(key):
            return f"<{key}>"
        raise KeyError(key)


def rasa_interpolate(response: str) -> str:
    """Rasa 3.6 `interpolate_text(response, values)` with every placeholder name given."""
    try:
        text = re.sub(r"{([^\n{}]+?)}", r"{0[\1]}", response)
        text = text.format(AnyPlaceholder())
        if "0[" in text:
            return response.format({})
        return text
    except KeyError as error:
        raise InterpolatorError(f"{response!r}: no value for {error.args[0]!r}") from None
    except (IndexError, ValueError) as error:  # Rasa does not catch these: worse than a log
        raise InterpolatorError(f"{response!r}: {error}") from None


def strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string inside `value`, with where it is."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings(item, f"{where}[{index}]")


def templates() -> Iterator[tuple[str, str]]:
    """(where, string) for every interpolated string of every response of the domain."""
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, variants in (document.get("responses") or {}).items():
            for number, variant in enumerate(variants or []):
                for key in INTERPOLATED_KEYS:
                    if key in variant:
                        yield from strings(variant[key], f"{path.name}:{name}[{number}].{key}")


def test_the_domain_has_templates_with_payloads() -> None:
    assert any(".buttons[" in where and where.endswith(".payload") for where, _ in templates())


def test_no_template_trips_rasas_interpolator() -> None:
    problems = []
    for where, template in templates():
        try:
            rasa_interpolate(template)
        except InterpolatorError as error:
            problems.append(f"{where}: {error}")
    assert not problems, "write literal braces doubled ({{ }}):\n" + "\n".join(problems)


def test_every_intent_payload_comes_out_as_an_intent_with_json_entities() -> None:
    problems = []
    for where, template in templates():
        if not (where.endswith(".payload") and template.startswith("/")):
            continue
        try:
            filled = rasa_interpolate(template)
        except InterpolatorError:
            continue  # reported by the test above
        match = PAYLOAD.match(filled)
        if match is None:
            problems.append(f"{where}: {filled!r} is not /intent or /intent{{...}}")
            continue
        if match["entities"]:
            try:
                json.loads(match["entities"])
            except ValueError:
                problems.append(f"{where}: {filled!r} carries entities that are not JSON")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("template", "filled"),
    [
        ('/inform{{"district":"xihu"}}', '/inform{"district":"xihu"}'),
        ('/visit{{"facility":"{code}"}}', '/visit{"facility":"<code>"}'),
        ("第 {position} 位", "第 <position> 位"),
    ],
)
def test_the_replica_fills_like_rasa(template: str, filled: str) -> None:
    assert rasa_interpolate(template) == filled


@pytest.mark.parametrize("template", ['/inform{"district":"xihu"}', "{a b}", "{0}"])
def test_the_replica_trips_where_rasa_logs_an_error(template: str) -> None:
    with pytest.raises(InterpolatorError):
        rasa_interpolate(template)


# Rasa's own interpolator over every template, with a value for every placeholder name: it must
# log nothing and give what the replica above gives.
RASA_CHECK = textwrap.dedent(
    """
    import json, logging, re, sys
    import structlog
    from rasa.core.nlg.interpolator import interpolate_text

    errors = []
    structlog.configure(processors=[lambda _l, _m, event: errors.append(event) or ""])
    templates = json.load(sys.stdin)
    names = {m for t in templates for m in re.findall(r"{([A-Za-z_][A-Za-z0-9_]*)}", t)}
    values = {name: f"<{name}>" for name in names}
    print(json.dumps({"filled": [interpolate_text(t, values) for t in templates],
                      "errors": [str(e.get("response")) for e in errors]}))
    """
)


def test_rasas_own_interpolator_agrees_and_logs_no_error() -> None:
    found = [template for _, template in templates()]
    rasa = json.loads(run_in_rasa(RASA_CHECK, stdin=json.dumps(found)))
    assert rasa["errors"] == []
    assert rasa["filled"] == [rasa_interpolate(template) for template in found]
