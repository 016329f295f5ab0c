"""Who a request is about: parse what the admin typed, link the person's identities across apps,
and name them by a pseudonym."""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from crm_saas.crypto import decrypt_object, encrypt_object
from crm_saas.errors import DomainError, NotFoundError
from crm_saas.privacy.models import PseudonymSecret
from crm_saas.privacy.registry import Subject, providers

_SECRET_PURPOSE = "privacy.pseudonym-key"  # noqa: S105 - a label, not a secret
_SECRET_ID = "pseudonym-secret"  # noqa: S105 - a label, not a secret
_MAX_LINK_ROUNDS = 5


@dataclass(frozen=True)
class SubjectQuery:
    """Exactly one of an e-mail address, a lead id or a customer id."""

    field: str  # "email" | "lead_id" | "customer_id"
    value: str

    @property
    def label(self) -> str:
        return (
            self.value
            if self.field == "email"
            else f"{'Lead' if self.field == 'lead_id' else 'Customer'} #{self.value}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {self.field: self.value if self.field == "email" else int(self.value)}

    def seed(self) -> Subject:
        if self.field == "email":
            return Subject().merge(emails=[self.value])
        if self.field == "lead_id":
            return Subject().merge(lead_ids=[self.value])
        return Subject().merge(customer_ids=[self.value])


def subject_query_parse(data: dict[str, Any]) -> SubjectQuery:
    """Read ``email``, ``lead_id`` or ``customer_id`` (exactly one) from request data."""
    given = {name: str(data.get(name) or "").strip() for name in ("email", "lead_id", "customer_id")}
    given = {name: value for name, value in given.items() if value}
    if len(given) != 1:
        raise DomainError("Give exactly one of: an e-mail address, a lead id or a customer id.", field="email")
    ((field, value),) = given.items()
    if field == "email":
        value = value.lower()
        try:
            validate_email(value)
        except ValidationError as exc:
            raise DomainError(f"'{value}' is not a valid e-mail address.", field="email") from exc
    elif not value.isdigit() or len(value) > 18:
        raise DomainError("An id is a whole number.", field=field)
    return SubjectQuery(field=field, value=value)


def subject_resolve(query: SubjectQuery) -> Subject:
    """Every identity of the person: each provider links what it knows (a lead's e-mail finds the
    customer with that e-mail, a customer's original lead...) until nothing new turns up."""
    subject = query.seed()
    for _ in range(_MAX_LINK_ROUNDS):
        linked = subject
        for provider in providers():
            linked = provider.link(linked)
        if linked == subject:
            break
        subject = linked
    return subject


def subject_resolve_existing(query: SubjectQuery) -> Subject:
    subject = subject_resolve(query)
    if not subject_has_records(subject):
        raise NotFoundError(f"No lead or customer matches {query.label}.", field=query.field)
    return subject


def subject_has_records(subject: Subject) -> bool:
    return any(record_set.queryset.exists() for provider in providers() for record_set in provider.record_sets(subject))


def _secret() -> bytes:
    row = PseudonymSecret.objects.first()
    if row is None:
        try:
            with transaction.atomic():
                blob = encrypt_object(plaintext=os.urandom(32), object_id=_SECRET_ID, purpose=_SECRET_PURPOSE)
                row = PseudonymSecret.objects.create(pk=1, encrypted_secret=blob)
        except IntegrityError:  # created by a concurrent request
            row = PseudonymSecret.objects.get(pk=1)
    return decrypt_object(blob=bytes(row.encrypted_secret), object_id=_SECRET_ID, purpose=_SECRET_PURPOSE)


def subject_pseudonym(query: SubjectQuery, subject: Subject | None = None) -> str:
    """A stable pseudonym: HMAC-SHA256 of the person's identifier under the tenant's secret.

    The identifier is the person's e-mail address when they have one (the smallest, so asking by
    lead id or by e-mail gives the same pseudonym), else the id that was asked for.
    """
    emails = sorted(subject.emails) if subject is not None else []
    if not emails and query.field == "email":
        emails = [query.value]
    identifier = f"email:{emails[0]}" if emails else f"{query.field}:{query.value}"
    digest = hmac.new(_secret(), identifier.encode(), hashlib.sha256).hexdigest()
    return f"subj_{digest[:24]}"
