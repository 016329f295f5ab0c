from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from crm_saas.errors import NotFoundError
from crm_saas.privacy.models import PrivacyRequest, PrivacyRequestKind


def privacy_request_list(*, kind: str | None = None) -> QuerySet[PrivacyRequest]:
    requests = PrivacyRequest.objects.select_related("requested_by", "job")
    return requests.filter(kind=kind) if kind else requests


def privacy_request_get(*, request_id: Any, kind: str) -> PrivacyRequest:
    try:
        return privacy_request_list(kind=kind).get(pk=request_id)
    except (PrivacyRequest.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFoundError("Privacy request not found.") from exc


def privacy_export_get_for_requester(*, user: Any, request_id: Any) -> PrivacyRequest:
    """An export only its requester may download: anyone else gets the same 404 as for no export."""
    export = privacy_request_get(request_id=request_id, kind=PrivacyRequestKind.EXPORT)
    if export.requested_by_id != user.pk:
        raise NotFoundError("Privacy request not found.")
    return export
