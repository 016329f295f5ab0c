"""Encryption at rest: per-tenant data keys wrapped by a master key, AES-256-GCM per object.

- ``kms``: the KMS-shaped interface and ``LocalKms`` (master keys from CRM_MASTER_KEYS).
- ``keys``: data key lifecycle: ensure, master key rotation, destruction (crypto-shredding).
- ``envelope``: encrypt/decrypt objects of the current tenant, and through the object store.
- ``errors``: DecryptionFailed (409), KeyDestroyed (410), DataKeyUnavailable (503), ObjectTooLarge (413).

The names below are importable from ``crm_saas.crypto`` directly. They are loaded on first use:
the settings import ``crm_saas.crypto.kms`` before Django's models exist, so this package must not
import the modules that use models when it is itself imported.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "DataKeyUnavailable": "crm_saas.crypto.errors",
    "DecryptionFailed": "crm_saas.crypto.errors",
    "KeyDestroyed": "crm_saas.crypto.errors",
    "ObjectTooLarge": "crm_saas.crypto.errors",
    "KeyManagementService": "crm_saas.crypto.kms",
    "LocalKms": "crm_saas.crypto.kms",
    "get_kms": "crm_saas.crypto.kms",
    "reset_kms": "crm_saas.crypto.kms",
    "MasterKeyRotation": "crm_saas.crypto.keys",
    "data_key_cache": "crm_saas.crypto.keys",
    "tenant_data_key_destroy": "crm_saas.crypto.keys",
    "tenant_data_key_ensure": "crm_saas.crypto.keys",
    "tenant_data_key_rotate_master": "crm_saas.crypto.keys",
    "MAX_PLAINTEXT_BYTES": "crm_saas.crypto.envelope",
    "decrypt_object": "crm_saas.crypto.envelope",
    "encrypt_object": "crm_saas.crypto.envelope",
    "encrypted_get": "crm_saas.crypto.envelope",
    "encrypted_put": "crm_saas.crypto.envelope",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'crm_saas.crypto' has no attribute {name!r}")
    return getattr(import_module(module), name)
