"""Key management: wrapping per-tenant data keys under a master key.

``KeyManagementService`` is shaped like AWS KMS (GenerateDataKey / Decrypt / ReEncrypt with an
encryption context bound as associated data), so a real KMS can replace ``LocalKms`` without
touching the envelope code. ``LocalKms`` keeps its master keys in process memory, read from the
environment:

- ``CRM_MASTER_KEYS``: comma-separated ``id:base64(32 bytes)`` entries. The first is the current key
  (new data keys are wrapped under it); the others stay only to unwrap keys wrapped before a
  rotation, until ``manage.py rotate_master_key`` has re-wrapped everything under the current one.
- ``CRM_MASTER_KEY``: a single base64 key, known as ``k1`` (simple installations).

Production refuses to start without one of them. Development and test derive a stable key (id
``dev``) from ``DJANGO_SECRET_KEY`` with HKDF and warn once per process that it is not for real data.

Wrapped data key format, version 1 (``LocalKms``; self-describing, so any configured master key
that is listed can unwrap it)::

    offset  size  field
    0       4     magic b"CRMK"
    4       1     format version (1)
    5       1     n = length of the master key id
    6       n     master key id (ASCII)
    6+n     12    nonce (fresh per wrap)
    18+n    48    AES-256-GCM of the 32-byte data key under the master key, 16-byte tag last

The associated data is the header (bytes 0 .. 6+n) followed by the canonical encoding of the
encryption context, so a wrapped key copied to another tenant's row does not unwrap.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from crm_saas.crypto.errors import DataKeyUnavailable

logger = logging.getLogger(__name__)

KMS_BACKENDS = ("local",)
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # 96 bits, the size GCM is designed for
TAG_BYTES = 16
DEVELOPMENT_MASTER_KEY_ID = "dev"
SINGLE_MASTER_KEY_ID = "k1"

_WRAP_MAGIC = b"CRMK"
_WRAP_VERSION = 1
_MASTER_KEY_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class KeyManagementService(Protocol):
    """Wraps and unwraps data keys; the master keys never leave it."""

    @property
    def current_master_key_id(self) -> str:
        """The master key new data keys are wrapped under (rotation moves everything to it)."""
        ...

    def generate_data_key(self, *, context: Mapping[str, str]) -> tuple[bytes, bytes, str]:
        """A fresh 256-bit data key: ``(plaintext_key, wrapped_key, master_key_id)``."""
        ...

    def unwrap(self, wrapped: bytes, *, context: Mapping[str, str]) -> bytes:
        """The plaintext data key; ``context`` must equal the one given when it was wrapped."""
        ...

    def rewrap(self, wrapped: bytes, *, context: Mapping[str, str]) -> tuple[bytes, str]:
        """The same data key wrapped under the current master key: ``(wrapped_key, master_key_id)``."""
        ...


def encode_fields(fields: Sequence[tuple[str, str]]) -> bytes:
    """An unambiguous byte encoding of (name, value) pairs: every part is length-prefixed, so no
    choice of values (containing separators, say) can make two different inputs encode alike."""
    out = bytearray()
    for name, value in fields:
        for part in (name.encode(), value.encode()):
            out += len(part).to_bytes(4, "big") + part
    return bytes(out)


def encode_context(context: Mapping[str, str]) -> bytes:
    """The encryption context in a canonical order (sorted by name)."""
    return encode_fields(sorted((str(name), str(value)) for name, value in context.items()))


class LocalKms:
    """Master keys held in this process (from the environment); AES-256-GCM key wrapping."""

    def __init__(self, master_keys: Sequence[tuple[str, bytes]]) -> None:
        validate_master_keys(master_keys)
        self._keys = dict(master_keys)
        self._current = master_keys[0][0]

    def __repr__(self) -> str:  # never the keys themselves
        return f"LocalKms(current={self._current!r}, ids={list(self._keys)!r})"

    @property
    def current_master_key_id(self) -> str:
        return self._current

    @property
    def master_key_ids(self) -> list[str]:
        return list(self._keys)

    def generate_data_key(self, *, context: Mapping[str, str]) -> tuple[bytes, bytes, str]:
        plaintext = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
        return plaintext, self._wrap(plaintext, context), self._current

    def unwrap(self, wrapped: bytes, *, context: Mapping[str, str]) -> bytes:
        header, master_key_id, nonce, ciphertext = _parse_wrapped(wrapped)
        master_key = self._keys.get(master_key_id)
        if master_key is None:
            logger.error("Data key wrapped under master key %r, which is not configured.", master_key_id)
            raise DataKeyUnavailable(
                f"Encrypted data cannot be read: master key '{master_key_id}' is not configured on this server."
            )
        try:
            plaintext = AESGCM(master_key).decrypt(nonce, ciphertext, header + encode_context(context))
        except InvalidTag as exc:
            logger.error("Data key does not authenticate under master key %r (context %s).", master_key_id, context)
            raise DataKeyUnavailable(
                "Encrypted data cannot be read: the workspace's data key does not match its master key."
            ) from exc
        if len(plaintext) != KEY_BYTES:  # authenticated, so only a bug could get here
            raise DataKeyUnavailable("Encrypted data cannot be read: the workspace's data key is malformed.")
        return plaintext

    def rewrap(self, wrapped: bytes, *, context: Mapping[str, str]) -> tuple[bytes, str]:
        return self._wrap(self.unwrap(wrapped, context=context), context), self._current

    def _wrap(self, plaintext: bytes, context: Mapping[str, str]) -> bytes:
        key_id = self._current.encode("ascii")
        header = _WRAP_MAGIC + bytes([_WRAP_VERSION, len(key_id)]) + key_id
        nonce = os.urandom(NONCE_BYTES)
        aad = header + encode_context(context)
        return header + nonce + AESGCM(self._keys[self._current]).encrypt(nonce, plaintext, aad)


def _parse_wrapped(wrapped: bytes) -> tuple[bytes, str, bytes, bytes]:
    corrupt = DataKeyUnavailable("Encrypted data cannot be read: the workspace's wrapped data key is corrupt.")
    if len(wrapped) < 6 or wrapped[:4] != _WRAP_MAGIC or wrapped[4] != _WRAP_VERSION:
        raise corrupt
    id_end = 6 + wrapped[5]
    header = wrapped[:id_end]
    nonce = wrapped[id_end : id_end + NONCE_BYTES]
    ciphertext = wrapped[id_end + NONCE_BYTES :]
    if len(ciphertext) != KEY_BYTES + TAG_BYTES:
        raise corrupt
    try:
        master_key_id = header[6:].decode("ascii")
    except UnicodeDecodeError as exc:
        raise corrupt from exc
    return header, master_key_id, nonce, ciphertext


# --- Configuration --------------------------------------------------------------------------------


def validate_master_keys(master_keys: Sequence[tuple[str, bytes]]) -> None:
    """Ids are short and safe (they are written into every wrapped key), unique, and every key is
    exactly 32 bytes. Messages name the entry, never the secret."""
    if not master_keys:
        raise ImproperlyConfigured("At least one master key is needed (CRM_MASTER_KEYS).")
    seen: set[str] = set()
    for position, (key_id, key) in enumerate(master_keys, start=1):
        if not _MASTER_KEY_ID_RE.match(key_id):
            raise ImproperlyConfigured(
                f"CRM_MASTER_KEYS entry {position}: the id must be 1-64 letters, digits, '.', '_' or '-'."
            )
        if key_id in seen:
            raise ImproperlyConfigured(f"CRM_MASTER_KEYS lists the id '{key_id}' twice; ids must be unique.")
        seen.add(key_id)
        if not isinstance(key, bytes) or len(key) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"CRM_MASTER_KEYS entry {position} ('{key_id}'): the key must be base64 of exactly {KEY_BYTES} bytes."
            )


def _decode_key(value: str, *, where: str) -> bytes:
    try:
        key = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{where}: the key is not valid base64.") from exc
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(f"{where}: the key must be base64 of exactly {KEY_BYTES} bytes, not {len(key)}.")
    return key


def master_keys_from_env(environ: Mapping[str, str] | None = None, *, required: bool) -> list[tuple[str, bytes]]:
    """Parse ``CRM_MASTER_KEYS`` (or ``CRM_MASTER_KEY``) strictly; ``[]`` when neither is set and
    ``required`` is false. Called by the settings, so a bad value stops the process at start-up."""
    environ = os.environ if environ is None else environ
    many = environ.get("CRM_MASTER_KEYS", "").strip()
    single = environ.get("CRM_MASTER_KEY", "").strip()
    if many and single:
        raise ImproperlyConfigured("Set CRM_MASTER_KEYS or CRM_MASTER_KEY, not both.")
    keys: list[tuple[str, bytes]] = []
    if single:
        keys = [(SINGLE_MASTER_KEY_ID, _decode_key(single, where="CRM_MASTER_KEY"))]
    elif many:
        for position, entry in enumerate(many.split(","), start=1):
            key_id, separator, value = entry.strip().partition(":")
            if not separator:
                raise ImproperlyConfigured(f"CRM_MASTER_KEYS entry {position}: use id:base64key.")
            keys.append((key_id.strip(), _decode_key(value, where=f"CRM_MASTER_KEYS entry {position}")))
    if not keys:
        if required:
            raise ImproperlyConfigured(
                "CRM_MASTER_KEYS is required in production: comma-separated id:base64 entries of 32 random bytes, "
                "the current key first (e.g. k1:$(openssl rand -base64 32)). It wraps every tenant's data key."
            )
        return []
    validate_master_keys(keys)
    return keys


def development_master_key(secret_key: str) -> bytes:
    """A stable 32-byte key derived from SECRET_KEY, for development and tests only: changing the
    secret key makes data encrypted under it unreadable."""
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=b"crm_saas development master key", info=b"local-kms v1"
    ).derive(secret_key.encode())


_development_key_warned = False


@lru_cache(maxsize=1)
def get_kms() -> KeyManagementService:
    """The configured KMS (settings.KMS_BACKEND), built once per process."""
    global _development_key_warned
    backend = settings.KMS_BACKEND
    if backend != "local":
        raise ImproperlyConfigured(f"CRM_KMS_BACKEND={backend!r}: the only backend is 'local'.")
    keys = list(settings.ENCRYPTION_MASTER_KEYS)
    if settings.IS_PRODUCTION:
        if not keys:
            raise ImproperlyConfigured("CRM_MASTER_KEYS is required in production.")
        return LocalKms(keys)
    # Outside production the development key is always available for unwrapping, so data written
    # before real keys were configured can still be rotated onto them.
    derived_is_current = not keys
    if DEVELOPMENT_MASTER_KEY_ID not in {key_id for key_id, _ in keys}:
        keys.append((DEVELOPMENT_MASTER_KEY_ID, development_master_key(settings.SECRET_KEY)))
    if derived_is_current and not _development_key_warned:
        _development_key_warned = True
        logger.warning(
            "Encryption at rest uses a development master key derived from DJANGO_SECRET_KEY; "
            "set CRM_MASTER_KEYS before storing real data."
        )
    return LocalKms(keys)


def reset_kms() -> None:
    """Forget the built KMS (after the settings change, e.g. in tests)."""
    get_kms.cache_clear()
