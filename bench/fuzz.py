"""Fuzzing of the public HTTP endpoints with schemathesis, against the app's own OpenAPI spec.

`make bench-fuzz` (or `python -m bench.fuzz`) starts the real processes (embedded profile: rasa,
action server, web app) and, for every operation in ``/openapi.json``, sends schemathesis-generated
requests over HTTP: valid requests (positive mode) and requests that break the schema (negative
mode). A first pass sends no credentials, as anyone on the internet could; a second pass sends the
stack's service token, as the action server does (what a citizen types reaches the records API
that way), so the handlers behind the token are fuzzed too. Every 5xx answer is a finding; the run
fails (exit 1) on any 500 (an unhandled error) and prints the endpoint and curl commands that
reproduce it; other 5xx (deliberate answers such as 503 "assistant down") are listed, marked
whether the spec documents them. An operation whose spec schemathesis cannot read also fails.

Server-Sent-Event streams (``…/events``) are left out: they answer 200 and then stay open by
design, so a fuzzer would only wait on them.

Not part of `make test`: the number of requests is large and random (Hypothesis, no example
database, so every run draws new inputs; `--seed` repeats one).
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.core.result import Err
from schemathesis.schemas import APIOperation

from testkit.stack import LiveStack

STREAM_SUFFIX = "/events"
INTERNAL_ERROR = 500
CURLS_SHOWN = 2  # per operation, status and answer
REQUEST_TIMEOUT_SECONDS = 30.0


@dataclass
class Finding:
    """One request that the server answered with a 5xx.

    Attributes:
        operation: ``METHOD /path``.
        mode: ``positive`` (valid request) or ``negative`` (breaks the schema).
        status: The 5xx status.
        documented: True when the spec lists this status for the operation (e.g. 503 on
            ``POST /api/chat`` when the assistant is down): a deliberate answer, not a crash.
        body: The first 300 characters of the answer.
        curl: A command that sends the same request again.
    """

    operation: str
    mode: str
    status: int
    documented: bool
    body: str
    curl: str

    @property
    def is_crash(self) -> bool:
        """500 (an unhandled error): what the fuzzing pass must not find."""
        return self.status == INTERNAL_ERROR


@dataclass
class OperationReport:
    """What one operation answered to the generated requests."""

    operation: str
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    transport_errors: int = 0
    skipped_modes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def requests(self) -> int:
        """Requests sent (answered or not)."""
        return sum(self.statuses.values()) + self.transport_errors


def fuzz_operation(
    operation: APIOperation[Any, Any, Any, Any],
    *,
    base_url: str,
    mode: GenerationMode,
    examples: int,
    report: OperationReport,
    session: requests.Session,
    seed_value: int | None,
    documented: set[int],
    headers: dict[str, str] | None,
) -> None:
    """Send up to `examples` generated requests of `mode` to `operation`, recording the answers."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        derandomize=False,
        verbosity=Verbosity.quiet,
    )
    @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
    def send(case: Case[Any]) -> None:
        try:
            response = case.call(
                base_url=base_url, session=session, timeout=REQUEST_TIMEOUT_SECONDS
            )
        except requests.RequestException:
            report.transport_errors += 1
            return
        report.statuses[response.status_code] += 1
        if response.status_code >= 500:
            report.findings.append(
                Finding(
                    operation=report.operation,
                    mode=mode.value,
                    status=response.status_code,
                    documented=response.status_code in documented,
                    body=response.content[:300].decode("utf-8", errors="replace"),
                    curl=case.as_curl_command(base_url=base_url),
                )
            )

    test = seed(seed_value)(send) if seed_value is not None else send
    try:
        test()
    except Unsatisfiable:
        # Nothing to break (no parameters, no body): negative mode has no request to send.
        report.skipped_modes.append(mode.value)


def fuzz(
    base_url: str, *, examples: int, seed_value: int | None, headers: dict[str, str] | None
) -> tuple[list[OperationReport], list[str]]:
    """Fuzz every operation of the app's OpenAPI spec at `base_url`, sending `headers` too.

    Returns:
        One report per fuzzed operation, and the operations schemathesis could not read.
    """
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json", wait_for_schema=60)
    spec = requests.get(f"{base_url}/openapi.json", timeout=REQUEST_TIMEOUT_SECONDS).json()
    reports: list[OperationReport] = []
    schema_errors: list[str] = []
    with requests.Session() as session:
        for result in schema.get_all_operations():
            if isinstance(result, Err):
                error = result.err()
                detail = " ".join(str(error).split())[:400]
                print(f"  schema error, not fuzzed: {error.method} {error.path}: {detail}")
                schema_errors.append(f"{error.method} {error.path}: {detail}")
                continue
            operation = result.ok()
            name = f"{operation.method.upper()} {operation.path}"
            if operation.path.endswith(STREAM_SUFFIX):
                continue
            report = OperationReport(operation=name)
            responses = spec["paths"][operation.path][operation.method.lower()]["responses"]
            documented = {int(code) for code in responses if code.isdigit()}
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                fuzz_operation(
                    operation,
                    base_url=base_url,
                    mode=mode,
                    examples=examples,
                    report=report,
                    session=session,
                    seed_value=seed_value,
                    documented=documented,
                    headers=headers,
                )
            reports.append(report)
            crashes = sum(finding.is_crash for finding in report.findings)
            print(f"  {name:<55} {report.requests:>5} requests, {crashes} × 500")
            sys.stdout.flush()
    return reports, schema_errors


@contextmanager
def target(web_url: str | None, service_token: str | None) -> Iterator[tuple[str, str | None]]:
    """(base URL, service token) to fuzz: the given ones, or a fresh embedded stack's."""
    if web_url:
        yield web_url.rstrip("/"), service_token
        return
    with LiveStack.start() as stack:
        yield stack.web_url, stack.service_token


def passes(service_token: str | None) -> list[tuple[str, dict[str, str] | None]]:
    """(label, fixed headers) of each pass: anonymous, then as the action server (if known)."""
    runs: list[tuple[str, dict[str, str] | None]] = [("no credentials", None)]
    if service_token:
        runs.append(("service token", {"authorization": f"Bearer {service_token}"}))
    return runs


def print_table(
    reports: list[OperationReport], schema_errors: list[str], seconds: float, label: str
) -> None:
    """The per-status summary, then the 5xx answers grouped, each with curl commands."""
    statuses = sorted({status for report in reports for status in report.statuses})
    columns = " ".join(f"{status:>5}" for status in statuses)
    header = f"{'operation':<55} {'sent':>5} {columns} {'conn err':>8}"
    print(f"\nschemathesis {schemathesis.__version__}: {len(reports)} operations, {seconds:.0f} s")
    print(f"answers by HTTP status, positive + negative mode, {label}\n")
    print(header)
    print("-" * len(header))
    for report in reports:
        counts = " ".join(f"{report.statuses.get(status, 0):>5}" for status in statuses)
        print(f"{report.operation:<55} {report.requests:>5} {counts} {report.transport_errors:>8}")
    total = sum(report.requests for report in reports)
    findings = [finding for report in reports for finding in report.findings]
    crashes = [finding for finding in findings if finding.is_crash]
    print(
        f"\n{total} requests: {len(crashes)} answered 500, {len(findings) - len(crashes)} other 5xx"
    )
    for problem in schema_errors:
        print(f"\n✗ not fuzzed (schemathesis cannot read its schema): {problem}")
    groups: dict[tuple[str, int, str], list[Finding]] = collections.defaultdict(list)
    for finding in findings:
        groups[(finding.operation, finding.status, finding.body)].append(finding)
    for (operation, status, body), group in groups.items():
        first = group[0]
        if first.is_crash:
            verdict = "✗ crash"
        elif first.documented:
            verdict = "· documented"
        else:
            verdict = "! not in the spec"
        print(f"\n{verdict}: {operation} → {status} × {len(group)}: {body}")
        for finding in group[:CURLS_SHOWN]:
            print(f"  ({finding.mode}) {finding.curl}")


def main() -> None:
    """Fuzz, print the tables, exit 1 when any request got a 500."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--examples", type=int, default=50, help="requests per operation and mode (default 50)"
    )
    parser.add_argument("--seed", type=int, default=None, help="Hypothesis seed (repeat a run)")
    parser.add_argument(
        "--web-url", default=None, help="fuzz this running web app instead of a fresh stack"
    )
    parser.add_argument(
        "--service-token", default=None, help="with --web-url: its SERVICE_TOKEN (second pass)"
    )
    args = parser.parse_args()
    failed = False
    with target(args.web_url, args.service_token) as (base_url, service_token):
        for label, headers in passes(service_token):
            started = time.perf_counter()
            print(f"pass: {label}", flush=True)
            reports, schema_errors = fuzz(
                base_url, examples=args.examples, seed_value=args.seed, headers=headers
            )
            print_table(reports, schema_errors, time.perf_counter() - started, label)
            crashed = any(f.is_crash for report in reports for f in report.findings)
            failed = failed or crashed or bool(schema_errors)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
