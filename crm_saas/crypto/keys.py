"""Per-tenant data keys: creation, master key rotation, destruction (crypto-shredding), and the
per-process cache of unwrapped keys. Platform operations on ``tenants.TenantDataKey`` (public schema).

Each tenant has one active data key, stored only wrapped by a master key of the KMS
(``crm_saas.crypto.kms``); ``crm_saas.crypto.envelope`` encrypts objects with it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from crm_saas.audit.services import audit_record
from crm_saas.crypto.errors import DataKeyUnavailable, KeyDestroyed
from crm_saas.crypto.kms import get_kms
from tenants.models import Tenant, TenantDataKey

if TYPE_CHECKING:
    from tenants.accounts.models import User

logger = logging.getLogger(__name__)

# Audit action of the platform trail (public schema), also written to the tenant's own trail.
AUDIT_DATA_KEY_DESTROYED = "tenant.data_key_destroyed"

_WRAP_PURPOSE = "tenant-data-key"


# --- The per-process cache of unwrapped data keys -----------------------------------------------


class DataKeyCache:
    """Unwrapped data keys by (tenant id, key version), for ``DATA_KEY_CACHE_SECONDS``.

    Trade-off: unwrapping costs a KMS call (a network round trip with a real KMS), so a process keeps
    the plaintext key for a short while. Safety does not depend on it: every encrypt and decrypt
    still reads the key's row, so a key destroyed or rotated by any process is honoured at once.
    What the cache does cost is exposure: another process keeps the plaintext key in its memory
    until the TTL runs out (or it exits), even though it will no longer use it. Bounded (LRU), so a
    process serving many tenants holds at most ``maxsize`` keys. Entries remember the row they came
    from, so a recreated row (a restored database, a rolled-back test) never meets a stale key.
    """

    def __init__(self, *, maxsize: int = 1024, clock: Callable[[], float] = time.monotonic) -> None:
        self.maxsize = maxsize
        self.clock = clock
        self._entries: OrderedDict[tuple[int, int], tuple[int, bytes, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, *, tenant_id: int, version: int, row_id: int) -> bytes | None:
        with self._lock:
            entry = self._entries.get((tenant_id, version))
            if entry is None:
                return None
            cached_row_id, key, expires_at = entry
            if cached_row_id != row_id or self.clock() >= expires_at:
                del self._entries[(tenant_id, version)]
                return None
            self._entries.move_to_end((tenant_id, version))
            return key

    def put(self, *, tenant_id: int, version: int, row_id: int, key: bytes, ttl: float) -> None:
        if ttl <= 0:
            return
        with self._lock:
            self._entries[(tenant_id, version)] = (row_id, key, self.clock() + ttl)
            self._entries.move_to_end((tenant_id, version))
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def holds(self, *, tenant_id: int) -> bool:
        """Whether any key of the tenant is in memory (expired or not), for tests and diagnostics."""
        with self._lock:
            return any(cached_tenant == tenant_id for cached_tenant, _ in self._entries)

    def forget_tenant(self, tenant_id: int) -> None:
        with self._lock:
            for entry_key in [entry_key for entry_key in self._entries if entry_key[0] == tenant_id]:
                del self._entries[entry_key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


data_key_cache = DataKeyCache()


def _wrap_context(*, tenant_id: int, version: int) -> dict[str, str]:
    """Binds a wrapped key to its tenant and version: a wrapped key copied to another row fails."""
    return {"purpose": _WRAP_PURPOSE, "tenant_id": str(tenant_id), "version": str(version)}


def data_key_plaintext(row: TenantDataKey) -> bytes:
    """The unwrapped key of ``row`` (from the cache when fresh); ``KeyDestroyed`` if it was destroyed."""
    if row.destroyed_at is not None or row.wrapped_key is None:
        raise KeyDestroyed()
    cached = data_key_cache.get(tenant_id=row.tenant_id, version=row.version, row_id=row.pk)
    if cached is not None:
        return cached
    key = get_kms().unwrap(bytes(row.wrapped_key), context=_wrap_context(tenant_id=row.tenant_id, version=row.version))
    data_key_cache.put(
        tenant_id=row.tenant_id, version=row.version, row_id=row.pk, key=key, ttl=settings.DATA_KEY_CACHE_SECONDS
    )
    return key


# --- Data key lifecycle (platform operations) ------------------------------------------------


def _refuse_public(tenant: Tenant) -> None:
    if tenant.schema_name == get_public_schema_name():
        raise RuntimeError("The platform (public) tenant has no data keys; name a customer tenant.")


def _lock_tenant(tenant: Tenant) -> None:
    """Serialise key creation and destruction per tenant (inside the caller's transaction)."""
    list(Tenant.objects.select_for_update().filter(pk=tenant.pk).values_list("pk", flat=True))


def tenant_data_key_ensure(*, tenant: Tenant) -> TenantDataKey:
    """The tenant's active data key, created (and wrapped by the current master key) if it has none.

    A tenant whose keys were destroyed stays that way: this raises ``KeyDestroyed`` instead of
    starting a new key, so nothing new is written for an offboarded tenant.
    """
    _refuse_public(tenant)
    active = TenantDataKey.objects.filter(tenant=tenant, is_active=True).first()
    if active is not None:
        return active
    with transaction.atomic():
        _lock_tenant(tenant)
        keys = list(TenantDataKey.objects.filter(tenant=tenant).order_by("-version"))
        if any(key.destroyed_at is not None for key in keys):
            raise KeyDestroyed()
        active = next((key for key in keys if key.is_active), None)
        if active is not None:  # created by another process while we waited for the lock
            return active
        version = keys[0].version + 1 if keys else 1
        plaintext, wrapped, master_key_id = get_kms().generate_data_key(
            context=_wrap_context(tenant_id=tenant.pk, version=version)
        )
        active = TenantDataKey.objects.create(
            tenant=tenant, version=version, is_active=True, wrapped_key=wrapped, master_key_id=master_key_id
        )
    data_key_cache.put(
        tenant_id=tenant.pk, version=version, row_id=active.pk, key=plaintext, ttl=settings.DATA_KEY_CACHE_SECONDS
    )
    logger.info("Created data key v%s for tenant %s under master key %r.", version, tenant.pk, master_key_id)
    return active


@dataclass(frozen=True)
class MasterKeyRotation:
    master_key_id: str  # the current master key every live data key is now wrapped under
    rewrapped: int
    already_current: int
    destroyed: int  # destroyed keys have nothing to re-wrap
    failed: int  # could not be unwrapped (master key missing or wrong); see the log


def tenant_data_key_rotate_master() -> MasterKeyRotation:
    """Re-wrap every tenant's live data keys under the current master key.

    Only the wrapped keys change; no stored object is read or rewritten, because the data keys
    themselves stay the same. Each key is re-wrapped in its own short transaction (so a destroy
    running at the same time is never undone), and a key that cannot be unwrapped is logged and
    counted, not fatal: fix the configuration and run again; keys already done are skipped.
    """
    kms = get_kms()
    current = kms.current_master_key_id
    pending = list(
        TenantDataKey.objects.filter(destroyed_at__isnull=True)
        .exclude(master_key_id=current)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rewrapped = failed = 0
    for pk in pending:
        try:
            with transaction.atomic():
                row = TenantDataKey.objects.select_for_update().filter(pk=pk, destroyed_at__isnull=True).first()
                if row is None or row.master_key_id == current:  # destroyed or rotated meanwhile
                    continue
                context = _wrap_context(tenant_id=row.tenant_id, version=row.version)
                row.wrapped_key, row.master_key_id = kms.rewrap(bytes(row.wrapped_key), context=context)
                row.rotated_at = timezone.now()
                row.save(update_fields=["wrapped_key", "master_key_id", "rotated_at"])
        except DataKeyUnavailable as error:
            failed += 1
            logger.error("Could not re-wrap data key row %s: %s", pk, error.message)
            continue
        rewrapped += 1
    data_key_cache.clear()
    now_current = TenantDataKey.objects.filter(destroyed_at__isnull=True, master_key_id=current).count()
    result = MasterKeyRotation(
        master_key_id=current,
        rewrapped=rewrapped,
        already_current=now_current - rewrapped,
        destroyed=TenantDataKey.objects.filter(destroyed_at__isnull=False).count(),
        failed=failed,
    )
    logger.info("Master key rotation to %r: %s", current, result)
    return result


def tenant_data_key_destroy(*, tenant: Tenant, actor: User | None = None, request: HttpRequest | None = None) -> int:
    """Crypto-shred a tenant: wipe the wrapped material of all its data keys. Returns how many keys
    were wiped. Idempotent: a second call changes nothing, returns 0 and is not audited again.

    Afterwards every object of the tenant raises ``KeyDestroyed`` in every process (each use reads
    the key's row), and no new key can be created for it. Copies of the wrapped keys in database
    backups stay unwrappable while their master key exists: rotating the master key and then removing
    the old one from CRM_MASTER_KEYS finishes the job for backups too.
    """
    _refuse_public(tenant)
    with transaction.atomic():
        _lock_tenant(tenant)
        live = list(TenantDataKey.objects.filter(tenant=tenant, destroyed_at__isnull=True).order_by("version"))
        now = timezone.now()
        if live:
            TenantDataKey.objects.filter(pk__in=[key.pk for key in live]).update(
                wrapped_key=None, master_key_id="", is_active=False, destroyed_at=now
            )
            versions = [key.version for key in live]
        elif not TenantDataKey.objects.filter(tenant=tenant).exists():
            # Never had a key: a destroyed placeholder keeps a new one from being created later.
            TenantDataKey.objects.create(tenant=tenant, version=1, is_active=False, wrapped_key=None, destroyed_at=now)
            versions = []
        else:
            return 0
        metadata = {"key_versions": versions}
        with schema_context(get_public_schema_name()):
            audit_record(
                action=AUDIT_DATA_KEY_DESTROYED, request=request, actor=actor, target=tenant, metadata=metadata
            )
        if schema_exists(tenant.schema_name):  # the tenant's own admins see it in their trail too
            with schema_context(tenant.schema_name):
                audit_record(action=AUDIT_DATA_KEY_DESTROYED, actor_label="platform", target=tenant, metadata=metadata)
    data_key_cache.forget_tenant(tenant.pk)
    logger.warning("Destroyed data keys %s of tenant %s: its encrypted data is unrecoverable.", versions, tenant.pk)
    return len(versions)
