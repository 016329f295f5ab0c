"""The OpenAPI generator for the whole API: documents the error body on every operation and the
``Idempotency-Key`` header on every idempotent POST."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from crm_saas.integrations.api.idempotency import HEADER, IdempotentPostMixin


class ErrorBody(serializers.Serializer):
    """Every 4xx and 5xx answer: a sentence to show, and messages per input field."""

    detail = serializers.CharField(help_text="What went wrong, in a sentence a person can act on.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field ('non_field_errors' for the request as a whole); may be empty.",
    )


ERROR_DESCRIPTIONS = {
    "400": "Invalid input: see `errors` for the fields.",
    "401": "Missing, invalid, expired or revoked credentials.",
    "403": "The role (or the API key's scopes) does not allow this.",
    "404": "Not found, or not visible to the caller.",
    "409": "Conflict with the current state, or a request with the same Idempotency-Key is still running.",
    "422": "The Idempotency-Key was already used for a different request.",
    "429": "Too many requests; retry after the `Retry-After` seconds.",
}


class CrmAutoSchema(AutoSchema):
    def _is_idempotent_post(self) -> bool:
        return self.method == "POST" and isinstance(self.view, IdempotentPostMixin)

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._is_idempotent_post():
            parameters.append(
                OpenApiParameter(
                    HEADER,
                    str,
                    OpenApiParameter.HEADER,
                    required=False,
                    description=(
                        "A unique string (e.g. a UUID) per logical request. A retry with the same key "
                        "and body within 24 hours returns the first response (with header "
                        "`Idempotent-Replayed: true`) and changes nothing again."
                    ),
                )
            )
        return parameters

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if not getattr(self.view, "permission_classes", None) or self.get_auth() == []:
            codes = ["400", "429"]  # public endpoints (sign-in)
        else:
            codes = ["401", "403", "429"]
            if self.method in {"POST", "PUT", "PATCH"}:
                codes.append("400")
            if "{" in self.path:
                codes.append("404")
            if self._is_idempotent_post():
                codes += ["409", "422"]
        for code in codes:
            if code not in responses:
                response = self._get_response_for_code(ErrorBody, code, direction=direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses
