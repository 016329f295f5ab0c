"""The whole tenant API, fuzzed from its OpenAPI schema: no generated request, valid or invalid,
gets a 5xx, and every 4xx error answers the documented {"detail", "errors"} shape.

A short run (a few hundred requests); ``bench/fuzz_api.py`` runs more than a thousand.
"""

from __future__ import annotations

import pytest

from crm_saas.testing.fuzz import error_shape_problem, fuzz_api, fuzz_seed
from crm_saas.testing.world import world_build, world_drop
from tests.surface import ADMIN

EXAMPLES_PER_OPERATION = 2  # x2 generation modes x ~80 operations, twice: ~400 requests


def test_fuzzed_api_requests_never_get_a_server_error_or_an_undocumented_error_body(
    django_db_setup, django_db_blocker
) -> None:
    from crm_saas.wsgi import application

    with django_db_blocker.unblock():
        world = world_build("fuzz_api")
        try:
            with world.active():
                known_ids = fuzz_seed(actor=world.users[ADMIN])
            report = fuzz_api(
                known_ids=known_ids,
                app=application,
                host=world.host,
                token=lambda: world.token(ADMIN),
                examples_per_operation=EXAMPLES_PER_OPERATION,
            )
        finally:
            world_drop(world)
    print(report.summary())
    assert report.operations >= 50  # the schema was read and every operation reached
    assert report.requests >= 150
    assert not report.failures, report.summary()
    assert set(report.statuses) & {400, 422}  # invalid input was generated and refused
    assert report.per_operation["PATCH /api/v1/leads/{lead_id}/"] > EXAMPLES_PER_OPERATION  # reached a real lead


@pytest.mark.parametrize(
    ("status", "content_type", "body", "problem"),
    [
        (200, "text/html", b"<html>", None),
        (404, "application/json", b'{"detail": "Not found.", "errors": {}}', None),
        (400, "application/json", b'{"detail": "Invalid input.", "errors": {"name": ["Required."]}}', None),
        (500, "application/json", b'{"detail": "x", "errors": {}}', "server error"),
        (400, "text/html", b"<h1>Bad Request (400)</h1>", "error body is not JSON (text/html)"),
        (400, "application/json", b'{"name": ["Required."]}', "error body keys are ['name']"),
        (
            400,
            "application/json",
            b'{"detail": "x", "errors": {"name": "Required."}}',
            "errors is not {field: [str, ...]}",
        ),
    ],
)
def test_the_error_shape_check_tells_documented_bodies_from_others(status, content_type, body, problem) -> None:
    assert error_shape_problem(status, content_type, body) == problem
