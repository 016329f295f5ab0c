"""Server-rendered import flow: upload, preview the inferred plan (and adjust it), confirm."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from crm_saas.errors import DomainError
from crm_saas.roles import Capability
from crm_saas.storage import tenant_object_key
from crm_saas.web import capability_required, form_add_domain_error
from leads.imports.columns import LEAD_FIELDS
from leads.imports.service import UPLOADS, lead_import_preview, lead_import_start, lead_import_store

_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
AUTO = ""


class UploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="A header row, then one lead per row. Up to 512 MB.")
    outcome_column = forms.CharField(
        required=False, label="Outcome column", help_text="Optional: the column saying whether the lead converted."
    )
    external_id_column = forms.CharField(
        required=False, label="Your id column", help_text="Optional: re-importing then updates those leads."
    )


def _key(token: str) -> str:
    if not _TOKEN_RE.match(token):
        raise Http404
    return tenant_object_key(*UPLOADS, f"{token}.csv")


@capability_required(Capability.RECORDS_WRITE_ALL)
def import_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            key, size = lead_import_store(upload=form.cleaned_data["file"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            token = key.rsplit("/", 1)[-1].removesuffix(".csv")
            request.session[f"lead-import-{token}"] = {
                "size": size,
                "outcome_column": form.cleaned_data["outcome_column"].strip(),
                "external_id_column": form.cleaned_data["external_id_column"].strip(),
            }
            return redirect("leads:import_preview", token=token)
    return render(request, "leads/import_upload.html", {"form": form})


@capability_required(Capability.RECORDS_WRITE_ALL)
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    key = _key(token)
    stored = request.session.get(f"lead-import-{token}")
    if stored is None:
        raise Http404
    source = request.POST if request.method == "POST" else None
    options = {
        "outcome_column": (source or {}).get("outcome_column", stored["outcome_column"]) or None,
        "external_id_column": (source or {}).get("external_id_column", stored["external_id_column"]) or None,
        "mapping": {
            name.removeprefix("map:"): value
            for name, value in (source or {}).items()
            if name.startswith("map:") and value != AUTO
        }
        or None,
    }
    error_message = ""
    try:
        preview = lead_import_preview(key=key, **options)
    except DomainError as error:
        preview, error_message = None, error.message
    if request.method == "POST" and preview is not None and "confirm" in request.POST:
        try:
            job = lead_import_start(actor=request.user, key=key, size=stored["size"], **options)
        except DomainError as error:
            error_message = error.message
        else:
            del request.session[f"lead-import-{token}"]
            messages.info(request, "Import started. Progress is shown below.")
            return redirect(f"{reverse('leads:list')}?job={job.id}")
    chosen = options["mapping"] or {}
    context = {
        "token": token,
        "preview": preview,
        "columns": [{**column, "selected": chosen.get(column["source"], AUTO)} for column in preview["columns"]]
        if preview
        else [],
        "error_message": error_message,
        "options": options,
        "lead_fields": sorted(LEAD_FIELDS - {"external_id"}),
    }
    return render(request, "leads/import_preview.html", context)
