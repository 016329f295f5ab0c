"""The server-rendered import flow every importer shares: upload a CSV, preview the inferred plan
(and adjust it), confirm. Each app describes its import with an ``ImportFlow``; its views are two
lines (see leads/imports/pages.py, lifecycle/import_pages.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from crm_saas.errors import DomainError
from crm_saas.imports import engine
from crm_saas.imports.engine import ImportSpec
from crm_saas.imports.files import upload_store
from crm_saas.jobs.models import Job
from crm_saas.storage import tenant_object_key
from crm_saas.web import form_add_domain_error

_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
AUTO = ""


@dataclass(frozen=True)
class ImportFlow:
    spec: ImportSpec
    title: str  # "Import leads"
    record: str  # what a row becomes, capitalised for the plan: "Lead", "Customer", "Event"
    intro: str
    fields: Sequence[str]  # the record fields a column can be mapped to
    upload_url_name: str
    preview_url_name: str
    back_url_name: str
    back_label: str
    done_url: Callable[[Job], str]  # where the job's progress is shown
    outcome_help: str = ""  # empty: this import has no outcome column
    external_id_help: str = "Optional: re-importing then updates those records."
    file_help: str = "A header row, then one record per row. Up to 512 MB."

    @property
    def session_prefix(self) -> str:
        return f"import-{self.spec.job_kind}"


def _upload_form(flow: ImportFlow, data: object = None, files: object = None) -> forms.Form:
    form = forms.Form(data, files)
    form.fields["file"] = forms.FileField(label="CSV file", help_text=flow.file_help)
    if flow.outcome_help:
        form.fields["outcome_column"] = forms.CharField(
            required=False, label="Outcome column", help_text=flow.outcome_help
        )
    form.fields["external_id_column"] = forms.CharField(
        required=False, label="Your id column", help_text=flow.external_id_help
    )
    return form


def _key(flow: ImportFlow, token: str) -> str:
    if not _TOKEN_RE.match(token):
        raise Http404
    return tenant_object_key(*flow.spec.uploads, f"{token}.csv")


def import_upload_page(request: HttpRequest, flow: ImportFlow) -> HttpResponse:
    form = _upload_form(flow, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            key, size = upload_store(upload=form.cleaned_data["file"], uploads=flow.spec.uploads)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            token = key.rsplit("/", 1)[-1].removesuffix(".csv")
            request.session[f"{flow.session_prefix}-{token}"] = {
                "size": size,
                "outcome_column": form.cleaned_data.get("outcome_column", "").strip(),
                "external_id_column": form.cleaned_data["external_id_column"].strip(),
            }
            return redirect(flow.preview_url_name, token=token)
    return render(request, "imports/upload.html", {"form": form, "flow": flow})


def import_preview_page(request: HttpRequest, flow: ImportFlow, token: str) -> HttpResponse:
    key = _key(flow, token)
    stored = request.session.get(f"{flow.session_prefix}-{token}")
    if stored is None:
        raise Http404
    source = request.POST if request.method == "POST" else None
    options = {
        "outcome_column": ((source or {}).get("outcome_column", stored["outcome_column"]) or None)
        if flow.outcome_help
        else None,
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
        preview = engine.import_preview(flow.spec, key=key, **options)
    except DomainError as error:
        preview, error_message = None, error.message
    if request.method == "POST" and preview is not None and "confirm" in request.POST:
        try:
            job = engine.import_start(flow.spec, actor=request.user, key=key, size=stored["size"], **options)
        except DomainError as error:
            error_message = error.message
        else:
            del request.session[f"{flow.session_prefix}-{token}"]
            messages.info(request, "Import started. Progress is shown below.")
            return redirect(flow.done_url(job))
    chosen = options["mapping"] or {}
    context = {
        "flow": flow,
        "back_url": reverse(flow.upload_url_name),
        "preview": preview,
        "columns": [{**column, "selected": chosen.get(column["source"], AUTO)} for column in preview["columns"]]
        if preview
        else [],
        "error_message": error_message,
        "options": options,
        "record_fields": sorted(set(flow.fields) - {"external_id"}),
    }
    return render(request, "imports/preview.html", context)
