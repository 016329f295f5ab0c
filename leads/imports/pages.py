"""The lead import pages: upload, preview the inferred plan (and adjust it), confirm."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from crm_saas.imports.pages import ImportFlow, import_preview_page, import_upload_page
from crm_saas.roles import Capability
from crm_saas.web import capability_required
from leads.imports.columns import LEAD_FIELDS
from leads.imports.service import SPEC

FLOW = ImportFlow(
    spec=SPEC,
    title="Import leads",
    record="Lead",
    intro=(
        "Columns that match lead fields (name, company, e-mail, source…) fill them; every other column "
        "becomes a custom attribute with its type detected."
    ),
    fields=sorted(LEAD_FIELDS),
    upload_url_name="leads:import",
    preview_url_name="leads:import_preview",
    back_url_name="leads:list",
    back_label="Leads",
    done_url=lambda job: f"{reverse('leads:list')}?job={job.id}",
    outcome_help="Optional: the column saying whether the lead converted.",
    external_id_help="Optional: re-importing then updates those leads.",
    file_help="A header row, then one lead per row. Up to 512 MB.",
)


@capability_required(Capability.RECORDS_WRITE_ALL)
def import_upload(request: HttpRequest) -> HttpResponse:
    return import_upload_page(request, FLOW)


@capability_required(Capability.RECORDS_WRITE_ALL)
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    return import_preview_page(request, FLOW, token)
