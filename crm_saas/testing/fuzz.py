"""Property-based fuzzing of the tenant API from its own OpenAPI schema (schemathesis + Hypothesis).

Every operation in ``/api/schema/`` is called with generated requests, valid and invalid, as an
authenticated tenant user. The API's promise is checked on every answer: never a 5xx, and every
4xx error body is ``{"detail": str, "errors": {field: [str, ...]}}``. Used by the test suite (a
short run) and by ``bench/fuzz_api.py`` (the full run).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

# Operations left out of fuzzing, each for a reason that is not "it fails":
SKIPPED_OPERATIONS = {
    # Revokes the very token the fuzzer signs in with; every later request would answer 401.
    ("DELETE", "/api/v1/auth/token/"),
}


@dataclass
class FuzzFailure:
    operation: str
    status: int
    reason: str
    request: str
    body: str


@dataclass
class FuzzReport:
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    per_operation: Counter = field(default_factory=Counter)
    failures: list[FuzzFailure] = field(default_factory=list)
    operations: int = 0
    unsatisfiable: list[str] = field(default_factory=list)
    token_reissues: int = 0

    def distinct_failures(self) -> list[FuzzFailure]:
        """One failure per (operation, status, reason): the first request that showed it."""
        seen: dict[tuple[str, int, str], FuzzFailure] = {}
        for failure in self.failures:
            seen.setdefault((failure.operation, failure.status, failure.reason), failure)
        return list(seen.values())

    def summary(self) -> str:
        histogram = ", ".join(f"{status}: {count}" for status, count in sorted(self.statuses.items()))
        lines = [
            f"operations fuzzed: {self.operations}",
            f"requests sent: {self.requests}",
            f"status histogram: {histogram}",
            f"token re-issued after a generated request revoked it: {self.token_reissues} times",
            f"failures: {len(self.failures)} ({len(self.distinct_failures())} distinct)",
        ]
        for failure in self.distinct_failures()[:50]:
            lines.append(f"  {failure.operation} -> {failure.status}: {failure.reason}\n    {failure.request}")
            lines.append(f"    body: {failure.body[:300]}")
        return "\n".join(lines)


def error_shape_problem(status: int, content_type: str, body: bytes) -> str | None:
    """Why an error answer breaks the documented shape, or None when it keeps it."""
    if status >= 500:
        return "server error"
    if status < 400:
        return None
    if "json" not in content_type:
        return f"error body is not JSON ({content_type or 'no content type'})"
    try:
        data = json.loads(body)
    except ValueError:
        return "error body is not valid JSON"
    if not isinstance(data, dict) or set(data) != {"detail", "errors"}:
        return f"error body keys are {sorted(data) if isinstance(data, dict) else type(data).__name__}"
    if not isinstance(data["detail"], str) or not data["detail"]:
        return "detail is not a non-empty string"
    errors = data["errors"]
    if not isinstance(errors, dict) or not all(
        isinstance(key, str) and isinstance(messages, list) and all(isinstance(m, str) for m in messages)
        for key, messages in errors.items()
    ):
        return "errors is not {field: [str, ...]}"
    return None


def fuzz_api(
    *,
    app: Any,
    host: str,
    token: Callable[[], str],
    examples_per_operation: int,
    modes: tuple[GenerationMode, ...] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
) -> FuzzReport:
    """Fuzz every operation of the tenant API served by the WSGI ``app`` on ``host``.

    ``token`` issues a fresh API token for the fuzzing user; it is called again whenever a
    generated request (a password change, a deactivation) made the current one invalid.
    """
    headers = {"Host": host, "Authorization": f"Token {token()}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app, headers={"Host": host})
    report = FuzzReport()
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED_OPERATIONS:
            continue
        report.operations += 1
        for mode in modes:
            _fuzz_operation(
                operation, mode=mode, headers=headers, report=report, examples=examples_per_operation, token=token
            )
    return report


def _fuzz_operation(
    operation: Any,
    *,
    mode: GenerationMode,
    headers: dict[str, str],
    report: FuzzReport,
    examples: int,
    token: Callable[[], str],
) -> None:
    name = f"{operation.method.upper()} {operation.path}"
    try:
        strategy = operation.as_strategy(generation_mode=mode)
    except Exception as exc:  # an operation schemathesis cannot generate for in this mode
        if mode == GenerationMode.POSITIVE:
            report.failures.append(FuzzFailure(name, 0, f"no strategy: {exc}", "", ""))
        return

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(headers=headers)
        report.requests += 1
        report.statuses[response.status_code] += 1
        report.per_operation[name] += 1
        content_type = (response.headers.get("content-type") or [""])[0]
        problem = error_shape_problem(response.status_code, content_type, response.content or b"")
        if response.status_code == 401 and "token" in (response.content or b"").decode(errors="replace"):
            headers["Authorization"] = f"Token {token()}"
            report.token_reissues += 1
        if problem:
            report.failures.append(
                FuzzFailure(
                    name,
                    response.status_code,
                    problem,
                    case.as_curl_command(headers=headers),
                    response.content.decode(errors="replace"),
                )
            )

    try:
        run()
    except Unsatisfiable:
        # Nothing in this operation can be made invalid (no parameters, no body): the positive
        # mode already covers it.
        report.unsatisfiable.append(f"{name} ({mode.value})")
