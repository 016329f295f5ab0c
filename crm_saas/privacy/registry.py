"""The provider registry: how each app tells the privacy services about a person's data.

A provider answers four questions about a ``Subject`` (one person, known by e-mail addresses and
lead/customer ids): which identities it links to them (a customer's original lead), which rows
are theirs (``record_sets``), which stored objects are theirs (``files``), and how to read an
object in the clear for an export. Export, erasure and verification are written once, in the
services, on top of those answers. A new app adds ``<app>/privacy.py``::

    class MessagesProvider(PrivacyProvider):
        name = "messages"
        label = "Messages"

        def record_sets(self, subject):
            return [RecordSet(Message.objects.filter(lead_id__in=subject.lead_ids))]

    register(MessagesProvider())

Record sets are listed children first: erasure deletes them in that order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class Subject:
    """One person as the CRM knows them. Grows while providers link identities (``link``)."""

    emails: frozenset[str] = frozenset()
    lead_ids: frozenset[int] = frozenset()
    customer_ids: frozenset[int] = frozenset()

    def merge(self, *, emails=(), lead_ids=(), customer_ids=()) -> Subject:
        return replace(
            self,
            emails=self.emails | {e.strip().lower() for e in emails if e and e.strip()},
            lead_ids=self.lead_ids | {int(i) for i in lead_ids if i is not None},
            customer_ids=self.customer_ids | {int(i) for i in customer_ids if i is not None},
        )

    @property
    def is_empty(self) -> bool:
        return not (self.emails or self.lead_ids or self.customer_ids)


@dataclass
class RecordSet:
    """The rows of one model that belong to the subject."""

    queryset: QuerySet

    @property
    def model(self) -> type[Model]:
        return self.queryset.model

    @property
    def label(self) -> str:
        return self.model._meta.label_lower  # e.g. "leads.lead"


@dataclass
class StoredFile:
    """One object in the store that belongs to the subject.

    ``read`` returns the plaintext (decrypting it); ``name`` is the file's name inside an export.
    ``record`` names the row it belongs to, e.g. ``voice.voicelog:<uuid>``.
    """

    key: str
    name: str
    record: str
    read: Callable[[], bytes]
    content_type: str = "application/octet-stream"
    sha256: str = ""  # of the plaintext, when the owning row recorded it


@dataclass
class ObjectKind:
    """How to read every object under ``<tenant prefix><prefix>`` for a whole-tenant export."""

    prefix: str  # e.g. "voice/"
    purpose: str  # the encryption purpose, or "" for objects stored in the clear
    object_id: Callable[[str], str] = field(default=lambda rest: rest)  # from the key's rest


class PrivacyProvider:
    name: str = ""
    label: str = ""

    def link(self, subject: Subject) -> Subject:
        """The subject with the identities this app links to it (default: none)."""
        return subject

    def record_sets(self, subject: Subject) -> list[RecordSet]:
        raise NotImplementedError

    def files(self, subject: Subject) -> list[StoredFile]:
        return []

    def object_kinds(self) -> list[ObjectKind]:
        """Kinds of tenant objects this app stores, so an offboarding export can decrypt them."""
        return []


_providers: dict[str, PrivacyProvider] = {}


def register(provider: PrivacyProvider) -> PrivacyProvider:
    if not provider.name:
        raise ValueError("A privacy provider needs a name.")
    _providers[provider.name] = provider
    return provider


def providers() -> list[PrivacyProvider]:
    """The registered providers, in registration order (app order in INSTALLED_APPS)."""
    return list(_providers.values())


def email_q(field_name: str, emails: frozenset[str]):
    """Rows whose ``field_name`` equals one of ``emails``, ignoring case (as people type them)."""
    from django.db.models import Q

    query = Q(pk__in=[])
    for email in emails:
        query |= Q(**{f"{field_name}__iexact": email})
    return query
