"""``Idempotency-Key`` for every POST of the tenant API (mixed into TenantAPIView).

After authentication and permission checks, the key is claimed (see services/idempotency.py);
the endpoint then runs inside one transaction together with storing its response, so either the
work and its stored answer are committed together or neither is. Retries get the stored answer
with ``Idempotent-Replayed: true``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from rest_framework.request import Request
from rest_framework.response import Response

from crm_saas.integrations.models import ApiKey, IdempotencyRecord
from crm_saas.integrations.services.idempotency import (
    idempotency_claim,
    idempotency_complete,
    idempotency_key_clean,
    idempotency_release,
)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = ("Location",)


class _Replay(Exception):
    def __init__(self, record: IdempotencyRecord) -> None:
        self.record = record


def request_principal(request: Request) -> str:
    """Keys are scoped per tenant (the table is in the tenant's schema) and per caller."""
    if isinstance(request.auth, ApiKey):
        return f"api_key:{request.auth.pk}"
    return f"user:{request.user.pk}"


def _file_digest(upload: UploadedFile) -> dict[str, Any]:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return {"name": upload.name, "size": upload.size, "sha256": digest.hexdigest()}


def request_fingerprint(request: Request) -> str:
    """What makes two requests "the same": path and parsed body (files by content)."""
    data = request.data
    if hasattr(data, "lists"):  # form and multipart bodies
        body: Any = {key: values for key, values in data.lists() if not isinstance(values[0], UploadedFile)}
        body["__files__"] = {
            key: [_file_digest(upload) for upload in request.FILES.getlist(key)] for key in request.FILES
        }
    else:
        body = data
    canonical = json.dumps(
        {"path": request.path, "query": request.META.get("QUERY_STRING", ""), "body": body},
        sort_keys=True,
        cls=DjangoJSONEncoder,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotentPostMixin:
    """Make POST handlers of an APIView idempotent when the client sends ``Idempotency-Key``."""

    _idempotency_record: IdempotencyRecord | None = None
    _idempotency_atomic: Any = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles first
        raw = request.headers.get(HEADER)
        if request.method != "POST" or raw is None:
            return
        key = idempotency_key_clean(raw)
        claim = idempotency_claim(
            principal=request_principal(request),
            key=key,
            method=request.method,
            path=request.path,
            fingerprint=request_fingerprint(request),
        )
        if claim.replay:
            raise _Replay(claim.record)
        self._idempotency_record = claim.record
        self._idempotency_atomic = transaction.atomic()
        self._idempotency_atomic.__enter__()

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, _Replay):
            record = exc.record
            headers = {**(record.response_headers or {}), REPLAYED_HEADER: "true"}
            return Response(record.response_body, status=record.response_status, headers=headers)
        try:
            return super().handle_exception(exc)
        except Exception:
            self._idempotency_finish(None)  # unhandled: roll back and let the client retry
            raise

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        self._idempotency_finish(response)
        return response

    def _idempotency_finish(self, response: Any) -> None:
        record, atomic = self._idempotency_record, self._idempotency_atomic
        if record is None:
            return
        self._idempotency_record = self._idempotency_atomic = None
        failed = response is None or response.status_code >= 500
        storable = not failed and hasattr(response, "data")
        try:
            if storable:
                headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
                idempotency_complete(record=record, status=response.status_code, body=response.data, headers=headers)
            elif failed:
                transaction.set_rollback(True)  # a server failure: the client's retry must run again
        except BaseException:
            # Leave the request's transaction whatever happened (rolled back): a block left open
            # would hold this process's database connection in a dead transaction for good.
            atomic.__exit__(*sys.exc_info())
            raise
        atomic.__exit__(None, None, None)
        if not storable:
            idempotency_release(record=record)  # a non-JSON answer cannot be replayed
