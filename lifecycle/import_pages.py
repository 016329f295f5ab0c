"""Customer and lifecycle-event import pages on the shared import flow (crm_saas/imports/pages.py),
and a page that follows an import's progress and shows its row-level report."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from crm_saas.errors import NotFoundError
from crm_saas.imports.pages import ImportFlow, import_preview_page, import_upload_page
from crm_saas.jobs.selectors import job_get_for_user
from crm_saas.roles import Capability
from crm_saas.web import capability_required
from lifecycle.imports import customers, events

CUSTOMERS = ImportFlow(
    spec=customers.SPEC,
    title="Import customers",
    record="Customer",
    intro=(
        "Columns that match customer fields (name, company, e-mail, plan, MRR, sign-up date…) fill them; "
        "every other column becomes a custom attribute with its type detected. New customers get a "
        "sign-up event; churned ones a cancellation."
    ),
    fields=sorted(customers.CUSTOMER_FIELDS),
    upload_url_name="lifecycle:import",
    preview_url_name="lifecycle:import_preview",
    back_url_name="lifecycle:customers",
    back_label="Customers",
    done_url=lambda job: reverse("lifecycle:import_progress", kwargs={"job_id": job.id}),
    outcome_help="Optional: the column saying whether the customer churned (yes/no, 1/0, churned/active).",
    external_id_help="Optional: re-importing then updates those customers.",
    file_help="A header row, then one customer per row. Up to 512 MB.",
)
EVENTS = ImportFlow(
    spec=events.SPEC,
    title="Import lifecycle events",
    record="Event",
    intro=(
        "One event per row: the customer's id (as imported), the kind (purchase, renewal, ticket opened, "
        "login…), when it happened, and amount, severity, NPS score, quantity or note where they apply. "
        "Other columns are kept with the event. Events already imported are skipped."
    ),
    fields=sorted(events.FIELD_SYNONYMS),
    upload_url_name="lifecycle:event_import",
    preview_url_name="lifecycle:event_import_preview",
    back_url_name="lifecycle:customers",
    back_label="Customers",
    done_url=lambda job: reverse("lifecycle:import_progress", kwargs={"job_id": job.id}),
    external_id_help="The column holding each event's customer id; found by name when left empty.",
    file_help="A header row, then one event per row. Up to 512 MB.",
)
_FLOWS = {flow.spec.job_kind: flow for flow in (CUSTOMERS, EVENTS)}


@capability_required(Capability.RECORDS_WRITE_ALL)
def customer_import(request: HttpRequest) -> HttpResponse:
    return import_upload_page(request, CUSTOMERS)


@capability_required(Capability.RECORDS_WRITE_ALL)
def customer_import_preview(request: HttpRequest, token: str) -> HttpResponse:
    return import_preview_page(request, CUSTOMERS, token)


@capability_required(Capability.RECORDS_WRITE_ALL)
def event_import(request: HttpRequest) -> HttpResponse:
    return import_upload_page(request, EVENTS)


@capability_required(Capability.RECORDS_WRITE_ALL)
def event_import_preview(request: HttpRequest, token: str) -> HttpResponse:
    return import_preview_page(request, EVENTS, token)


@capability_required(Capability.RECORDS_WRITE_ALL)
def import_progress(request: HttpRequest, job_id: UUID) -> HttpResponse:
    try:
        job = job_get_for_user(user=request.user, job_id=job_id)
    except NotFoundError as error:
        raise Http404 from error
    flow = _FLOWS.get(job.kind)
    if flow is None:
        raise Http404
    return render(
        request,
        "imports/progress.html",
        {"flow": flow, "job": job, "done_url": reverse(flow.back_url_name), "again_url": reverse(flow.upload_url_name)},
    )
