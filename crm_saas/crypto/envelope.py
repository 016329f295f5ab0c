"""Envelope encryption of tenant objects under per-tenant data keys.

Each tenant has one active data key (``tenants.TenantDataKey``), stored only wrapped by a master key
of the KMS (``crm_saas.crypto.kms``). Every object is encrypted with AES-256-GCM under the data key
of the tenant whose schema is active, with a fresh 96-bit nonce, and with the tenant, the purpose
and the object id bound as associated data: a blob copied to another tenant, another record or
another purpose does not decrypt. Rotating the master key re-wraps the data keys only; no object is
read or rewritten. Destroying a tenant's keys makes all its objects unrecoverable.

Blob format, version 1 (all integers big-endian)::

    offset  size  field
    0       4     magic b"CRME"
    4       1     format version (1)
    5       4     data key version (uint32) of the tenant's key that encrypted it
    9       12    nonce, random per object
    21      n+16  AES-256-GCM ciphertext of the n plaintext bytes, then the 16-byte tag

The associated data is the length-prefixed encoding of (format, tenant schema, tenant id, purpose,
object id, data key version), so none of them is stored in the blob yet all of them are checked;
the magic is compared exactly and the nonce is authenticated by GCM itself. 37 bytes of overhead.

Objects are encrypted whole, in memory: fine for voice notes (tens of MB). Anything larger than
``MAX_PLAINTEXT_BYTES`` (256 MiB) is refused with ``ObjectTooLarge``; a chunked format would be
version 2 of the blob format.
"""

from __future__ import annotations

import logging
import os
import re
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import connection
from django_tenants.utils import get_public_schema_name

from crm_saas.crypto.errors import DecryptionFailed, KeyDestroyed, ObjectTooLarge
from crm_saas.crypto.keys import (
    MasterKeyRotation,
    data_key_plaintext,
    tenant_data_key_destroy,
    tenant_data_key_ensure,
    tenant_data_key_rotate_master,
)
from crm_saas.crypto.kms import NONCE_BYTES, TAG_BYTES, encode_fields
from crm_saas.storage import get_object_store
from crm_saas.storage.keys import tenant_prefix
from tenants.models import Tenant, TenantDataKey

logger = logging.getLogger(__name__)

BLOB_MAGIC = b"CRME"
BLOB_VERSION = 1
_HEADER = struct.Struct(">4sBI")  # magic, format version, data key version
HEADER_BYTES = _HEADER.size + NONCE_BYTES
BLOB_OVERHEAD_BYTES = HEADER_BYTES + TAG_BYTES
MAX_PLAINTEXT_BYTES = 256 * 1024 * 1024

_PURPOSE_RE = re.compile(r"^[a-z0-9][a-z0-9_.\-]{0,63}$")
_MAX_OBJECT_ID_CHARS = 200

# The data key lifecycle lives in crm_saas.crypto.keys; it is part of this module's interface too.
__all__ = [
    "BLOB_MAGIC",
    "BLOB_VERSION",
    "MAX_PLAINTEXT_BYTES",
    "MasterKeyRotation",
    "decrypt_object",
    "encrypt_object",
    "encrypted_get",
    "encrypted_put",
    "tenant_data_key_destroy",
    "tenant_data_key_ensure",
    "tenant_data_key_rotate_master",
]


# --- Objects of the current tenant ------------------------------------------------------------


def _current_schema() -> str:
    """The active tenant's schema; fails closed in the public schema or with none set."""
    schema = connection.schema_name
    if not schema or schema == get_public_schema_name():
        raise RuntimeError("Encrypted objects belong to a tenant: activate the tenant's schema first.")
    return schema


def _check_names(*, object_id: str, purpose: str) -> None:
    if not isinstance(object_id, str) or not object_id or len(object_id) > _MAX_OBJECT_ID_CHARS:
        raise ValueError(f"object_id must be a non-empty string of at most {_MAX_OBJECT_ID_CHARS} characters.")
    if not isinstance(purpose, str) or not _PURPOSE_RE.match(purpose):
        raise ValueError("purpose must be a short lower-case label such as 'voice.audio'.")


def _associated_data(*, schema: str, tenant_id: int, purpose: str, object_id: str, key_version: int) -> bytes:
    return encode_fields(
        [
            ("format", f"crm_saas.crypto.object/{BLOB_VERSION}"),
            ("tenant_schema", schema),
            ("tenant_id", str(tenant_id)),
            ("purpose", purpose),
            ("object_id", object_id),
            ("data_key_version", str(key_version)),
        ]
    )


def encrypt_object(*, plaintext: bytes, object_id: str, purpose: str) -> bytes:
    """Encrypt ``plaintext`` for the current tenant, bound to ``object_id`` and ``purpose``.

    ``object_id`` is the record's id (e.g. a voice note's UUID) and ``purpose`` what the bytes are
    (e.g. ``voice.audio``); the same two must be given to decrypt. Neither is stored in the blob.
    """
    _check_names(object_id=object_id, purpose=purpose)
    if len(plaintext) > MAX_PLAINTEXT_BYTES:
        raise ObjectTooLarge(
            f"This object is {len(plaintext) / 2**20:.0f} MB; encrypted objects are limited to "
            f"{MAX_PLAINTEXT_BYTES // 2**20} MB.",
            field="file",
        )
    schema = _current_schema()
    row = TenantDataKey.objects.filter(tenant__schema_name=schema, is_active=True).first()
    if row is None:
        row = tenant_data_key_ensure(tenant=Tenant.objects.get(schema_name=schema))
    key = data_key_plaintext(row)
    header = _HEADER.pack(BLOB_MAGIC, BLOB_VERSION, row.version)
    nonce = os.urandom(NONCE_BYTES)
    aad = _associated_data(
        schema=schema, tenant_id=row.tenant_id, purpose=purpose, object_id=object_id, key_version=row.version
    )
    return header + nonce + AESGCM(key).encrypt(nonce, bytes(plaintext), aad)


def _refuse(reason: str, *, schema: str, purpose: str, object_id: str) -> DecryptionFailed:
    # A failed check is a security signal (tampering, a mix-up of records): log who and what.
    logger.warning("Refused to decrypt %s object %r in tenant %s: %s.", purpose, object_id, schema, reason)
    return DecryptionFailed()


def decrypt_object(*, blob: bytes, object_id: str, purpose: str) -> bytes:
    """The plaintext of ``blob``, if it was encrypted for the current tenant, this object id and this
    purpose. Otherwise ``DecryptionFailed`` (altered, truncated, moved or mixed up) or
    ``KeyDestroyed`` (the tenant was crypto-shredded)."""
    _check_names(object_id=object_id, purpose=purpose)
    schema = _current_schema()
    where = {"schema": schema, "purpose": purpose, "object_id": object_id}
    if len(blob) < BLOB_OVERHEAD_BYTES:
        raise _refuse("too short to be an encrypted object", **where)
    magic, version, key_version = _HEADER.unpack_from(blob)
    if magic != BLOB_MAGIC or version != BLOB_VERSION:
        raise _refuse("not an encrypted object of a known format", **where)
    row = TenantDataKey.objects.filter(tenant__schema_name=schema, version=key_version).first()
    if row is None:
        if TenantDataKey.objects.filter(tenant__schema_name=schema, destroyed_at__isnull=False).exists():
            raise KeyDestroyed()
        raise _refuse(f"the tenant has no data key version {key_version}", **where)
    key = data_key_plaintext(row)
    aad = _associated_data(
        schema=schema, tenant_id=row.tenant_id, purpose=purpose, object_id=object_id, key_version=key_version
    )
    try:
        return AESGCM(key).decrypt(blob[_HEADER.size : HEADER_BYTES], blob[HEADER_BYTES:], aad)
    except InvalidTag:
        raise _refuse("authentication failed", **where) from None


# --- Through the object store --------------------------------------------------------------------


def _check_key(key: str) -> None:
    """Encrypted objects live under the current tenant's prefix; a key of another tenant is a bug."""
    if not key.startswith(tenant_prefix(_current_schema())):
        raise ValueError("Encrypted objects must be stored under the current tenant's prefix (tenant_object_key).")


def encrypted_put(
    *, key: str, plaintext: bytes, object_id: str, purpose: str, content_type: str = "application/octet-stream"
) -> None:
    """Encrypt and store an object of the current tenant at ``key`` (from ``tenant_object_key``).

    ``content_type`` describes the stored bytes, which are ciphertext: keep the default, and keep
    the plaintext's media type (``audio/wav``...) in the owning record, not on the stored object.
    """
    _check_key(key)
    get_object_store().put(
        key, encrypt_object(plaintext=plaintext, object_id=object_id, purpose=purpose), content_type=content_type
    )


def encrypted_get(*, key: str, object_id: str, purpose: str) -> bytes:
    """Read and decrypt an object stored by ``encrypted_put``."""
    _check_key(key)
    return decrypt_object(blob=get_object_store().get(key), object_id=object_id, purpose=purpose)
