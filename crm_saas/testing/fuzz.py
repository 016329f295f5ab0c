"""Property-based fuzzing of the tenant API from its own OpenAPI schema (schemathesis + Hypothesis).

Every operation in ``/api/schema/`` is called with generated requests, valid and invalid, as an
authenticated tenant user. The API's promise is checked on every answer: never a 5xx, and every
4xx error body is ``{"detail": str, "errors": {field: [str, ...]}}``. Used by the test suite (a
short run) and by ``bench/fuzz_api.py`` (the full run).
"""

from __future__ import annotations

import json
import re
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
    known_ids: dict[str, Any] = field(default_factory=dict)

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
            f"ids of created objects fuzzed again: {', '.join(sorted(self.known_ids)) or 'none'}",
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
    known_ids: dict[str, Any] | None = None,
    modes: tuple[GenerationMode, ...] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
) -> FuzzReport:
    """Fuzz every operation of the tenant API served by the WSGI ``app`` on ``host``.

    Two passes: first with generated path ids (mostly unknown: 404s), collecting the ids of what
    the generated requests created; then again for every operation whose path ids are all known,
    with those ids, so that generated bodies and queries reach existing objects. Deletions run
    last. ``token`` issues a fresh API token for the fuzzing user; it is called again whenever a
    generated request (a password change, a deactivation) made the current one invalid.
    """
    headers = {"Host": host, "Authorization": f"Token {token()}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app, headers={"Host": host})
    report = FuzzReport(known_ids=dict(known_ids or {}))
    operations = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) not in SKIPPED_OPERATIONS:
            operations.append(operation)
    report.operations = len(operations)
    for operation in operations:
        for mode in modes:
            _fuzz_operation(
                operation, mode=mode, headers=headers, report=report, examples=examples_per_operation, token=token
            )
    # Second pass, on objects that exist; deleting them comes last.
    for operation in sorted(operations, key=lambda op: op.method.upper() == "DELETE"):
        names = _PATH_PARAM.findall(operation.path)
        if not names or not all(name in report.known_ids for name in names):
            continue
        path_parameters = {name: report.known_ids[name] for name in names}
        for mode in modes:
            _fuzz_operation(
                operation,
                mode=mode,
                headers=headers,
                report=report,
                examples=examples_per_operation,
                token=token,
                path_parameters=path_parameters,
            )
    return report


_PATH_PARAM = re.compile(r"{([a-z_]+)}")


def _remember_created(path: str, status: int, body: bytes, known_ids: dict[str, Any]) -> None:
    """``POST /api/v1/leads/`` answering 201 {"id": 7}: ``lead_id`` 7 exists (and a job it started)."""
    if status not in (200, 201, 202) or not body:
        return
    try:
        data = json.loads(body)
    except ValueError:
        return
    if not isinstance(data, dict):
        return
    collection = path.rstrip("/").rsplit("/", 1)[-1]
    if status == 201 and "id" in data and not collection.startswith("{"):
        singular = collection[:-3] + "y" if collection.endswith("ies") else collection.removesuffix("s")
        name = singular.replace("-", "_") + "_id"
        known_ids.setdefault(name, data["id"])
    job = data.get("job")
    if isinstance(job, dict) and "id" in job:
        known_ids.setdefault("job_id", job["id"])


def _fuzz_operation(
    operation: Any,
    *,
    mode: GenerationMode,
    headers: dict[str, str],
    report: FuzzReport,
    examples: int,
    token: Callable[[], str],
    path_parameters: dict[str, Any] | None = None,
) -> None:
    name = f"{operation.method.upper()} {operation.path}"
    try:
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
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
        _remember_created(operation.path, response.status_code, response.content or b"", report.known_ids)
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


def fuzz_seed(*, actor: Any) -> dict[str, Any]:
    """Objects for the second pass to reach, created in the current tenant schema as ``actor``:
    path parameter name -> id."""
    from datetime import timedelta

    from django.utils import timezone

    from crm_saas.jobs.services import job_create
    from leads.activity_services import follow_up_schedule
    from leads.services import lead_create
    from lifecycle.services import customer_create

    lead = lead_create(actor=actor, data={"company": "Fuzz Target Ltd", "name": "Ada Fuzz", "email": "ada@fuzz.test"})
    follow_up = follow_up_schedule(lead=lead, actor=actor, due_at=timezone.now() + timedelta(days=1))
    customer = customer_create(actor=actor, data={"name": "Fuzz Customer", "company": "Fuzz Customer Ltd"})
    job = job_create(kind="fuzz.target", created_by=actor)
    return {
        "lead_id": lead.pk,
        "follow_up_id": follow_up.pk,
        "customer_id": customer.pk,
        "job_id": str(job.pk),
        "user_id": actor.pk,
    }
