"""A whole tenant as one archive: every row of every tenant model (JSON per model, Django's
fixture format) and every stored object, decrypted where a provider says how (``ObjectKind``).

The archive outlives the tenant's data key, so it is encrypted under a key of its own from the KMS
(AES-256-GCM, bound to the offboarding's id); only the wrapped key is kept, on the offboarding row.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from crm_saas.crypto import decrypt_object
from crm_saas.crypto.errors import DecryptionFailed, KeyDestroyed
from crm_saas.crypto.kms import NONCE_BYTES, get_kms
from crm_saas.privacy.bundle import BundleWriter
from crm_saas.privacy.registry import providers
from crm_saas.storage import get_object_store
from crm_saas.storage.keys import tenant_prefix

ARCHIVE_FORMAT = "crm_saas.tenant-archive/1"
# Secrets and derived copies stay behind: sessions, token digests, password hashes, the pseudonym
# secret, and earlier per-person exports (their data is in the archive already).
SKIPPED_MODELS = frozenset({"sessions.session", "accounts.authtoken", "privacy.pseudonymsecret"})
SKIPPED_FIELDS = {"accounts.user": {"password"}}
SKIPPED_OBJECT_PREFIXES = ("privacy/exports/",)


def tenant_models() -> list[Any]:
    """Every model whose table lives in a tenant schema."""
    models = []
    for app_name in settings.TENANT_APPS:
        config = next((c for c in apps.get_app_configs() if c.name == app_name), None)
        if config is None:
            continue
        for model in config.get_models():
            if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in SKIPPED_MODELS:
                models.append(model)
    return models


def tenant_archive_build(*, schema_name: str, tenant_name: str, progress: Callable[[int], None]) -> bytes:
    """Run inside the tenant's schema."""
    writer = BundleWriter(
        format_name=ARCHIVE_FORMAT,
        about={"workspace": schema_name, "name": tenant_name, "generated_at": timezone.now().isoformat()},
    )
    models = tenant_models()
    for index, model in enumerate(models):
        label = model._meta.label_lower
        skipped = SKIPPED_FIELDS.get(label, set())
        queryset = model._default_manager.all()
        writer.add_records(label=label, queryset=queryset, provider=model._meta.app_label, skip_fields=skipped)
        progress(5 + int(35 * (index + 1) / len(models)))
    kinds = [kind for provider in providers() for kind in provider.object_kinds()]
    store = get_object_store()
    prefix = tenant_prefix(schema_name)
    keys = [key for key in store.list_keys(prefix) if not key[len(prefix) :].startswith(SKIPPED_OBJECT_PREFIXES)]
    for index, key in enumerate(keys):
        rest = key[len(prefix) :]
        blob = store.get(key)
        kind = next((k for k in kinds if rest.startswith(k.prefix)), None)
        encrypted = False
        if kind is not None and kind.purpose:
            try:
                blob = decrypt_object(
                    blob=blob, object_id=kind.object_id(rest[len(kind.prefix) :]), purpose=kind.purpose
                )
            except (DecryptionFailed, KeyDestroyed):
                encrypted = True  # kept as stored, and the manifest says so
        writer.add_file(name=f"objects/{rest}", data=blob, key=key, encrypted=encrypted)
        progress(40 + int(30 * (index + 1) / max(1, len(keys))))
    return writer.close()


def _context(offboarding_id: str) -> dict[str, str]:
    return {"purpose": "tenant-archive", "offboarding": offboarding_id}


def archive_encrypt(*, archive: bytes, offboarding_id: str) -> tuple[bytes, bytes]:
    """(blob to store, wrapped key to keep on the offboarding row)."""
    key, wrapped, _ = get_kms().generate_data_key(context=_context(offboarding_id))
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, archive, offboarding_id.encode()), wrapped


def archive_decrypt(*, blob: bytes, wrapped_key: bytes, offboarding_id: str) -> bytes:
    key = get_kms().unwrap(wrapped_key, context=_context(offboarding_id))
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], offboarding_id.encode())
    except Exception as exc:
        raise DecryptionFailed() from exc
