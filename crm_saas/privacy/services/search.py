"""Find everything the CRM holds about a person, before exporting or erasing it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

from crm_saas.privacy.registry import Subject, providers
from crm_saas.privacy.services.common import require_privacy_admin
from crm_saas.privacy.subjects import SubjectQuery, subject_query_parse, subject_resolve


@dataclass
class PersonMatch:
    query: SubjectQuery
    subject: Subject
    # {provider label: {record type: count}} for the record types that hold something.
    records: dict[str, dict[str, int]] = field(default_factory=dict)
    files: int = 0

    @property
    def readable(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """The counts with record types named as people read them ("Lead notes: 2")."""
        return [
            (
                provider,
                [(str(apps.get_model(label)._meta.verbose_name_plural).capitalize(), n) for label, n in counts.items()],
            )
            for provider, counts in self.records.items()
        ]

    @property
    def total(self) -> int:
        return sum(sum(counts.values()) for counts in self.records.values())


def subject_inventory(subject: Subject) -> tuple[dict[str, dict[str, int]], int]:
    records: dict[str, dict[str, int]] = {}
    files = 0
    for provider in providers():
        counts = {rs.label: rs.queryset.count() for rs in provider.record_sets(subject)}
        counts = {label: count for label, count in counts.items() if count}
        if counts:
            records[provider.label] = counts
        files += len(provider.files(subject))
    return records, files


def privacy_subject_search(*, actor: Any, data: dict[str, Any]) -> PersonMatch:
    """Everything about the person named by ``email``, ``lead_id`` or ``customer_id``, counted."""
    require_privacy_admin(actor)
    query = subject_query_parse(data)
    subject = subject_resolve(query)
    records, files = subject_inventory(subject)
    return PersonMatch(query=query, subject=subject, records=records, files=files)
