"""The ``data`` of webhook events, built from the rows the emitting services already hold.

Kept here so every event describes a record the same way; receivers get ids and the fields a
sync needs, never internal or encrypted columns.
"""

from __future__ import annotations

from typing import Any


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def lead_payload(lead: Any) -> dict[str, Any]:
    return {
        "id": lead.pk,
        "external_id": lead.external_id,
        "name": lead.name,
        "company": lead.company,
        "email": lead.email,
        "status": lead.status,
        "owner_id": lead.owner_id,
        "score": lead.score,
        "band": lead.band,
        "created_at": _iso(lead.created_at),
        "updated_at": _iso(getattr(lead, "updated_at", None)),
    }


def lead_score_payload(lead: Any, *, previous_band: str | None = None) -> dict[str, Any]:
    data = {
        "lead_id": lead.pk,
        "score": lead.score,
        "band": lead.band,
        "probability": lead.probability,
        "scored_at": _iso(lead.scored_at),
    }
    if previous_band is not None:
        data["previous_band"] = previous_band
    return data


def voice_log_payload(log: Any) -> dict[str, Any]:
    return {
        "id": str(log.pk),
        "kind": log.kind,
        "lead_id": log.lead_id,
        "uploaded_by": log.uploaded_by_id,
        "transcript": log.transcript,
        "language": log.language,
        "confidence": log.confidence,
        "transcribed_at": _iso(log.transcribed_at),
    }


def voice_command_payload(command: Any, *, result: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(command.pk),
        "intent": (command.action or {}).get("intent"),
        "speaker_id": command.speaker_id,
        "result": result,
    }


def model_version_payload(version: Any) -> dict[str, Any]:
    return {
        "kind": version.kind,
        "version": version.version,
        "algorithm": version.algorithm,
        "metrics": version.metrics,
        "is_active": version.is_active,
        "created_at": _iso(version.created_at),
    }


def customer_churn_payload(
    *, customer_id: int, external_id: str | None, risk: float, band: str, previous_band: str, scored_at: Any
) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "external_id": external_id,
        "risk": risk,
        "band": band,
        "previous_band": previous_band or None,
        "scored_at": _iso(scored_at),
    }
