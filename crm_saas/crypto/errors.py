"""What can go wrong when reading or writing encrypted data, as domain errors users can act on.

None of these carries key material, ciphertext or plaintext; the details an operator needs (tenant,
purpose, object id, master key id) go to the log, not into the message.
"""

from __future__ import annotations

from crm_saas.errors import ConflictError, DomainError, ServiceUnavailableError


class DecryptionFailed(ConflictError):
    """The stored bytes do not authenticate for this tenant, record and purpose.

    409 Conflict: the request is fine, but the stored object contradicts the record that points at
    it (it was altered, truncated, or belongs to another record or workspace). 422 would blame the
    request's content, which the caller did not send; 500 would hide a condition that is detected
    and explained.
    """

    default_code = "decryption_failed"
    default_message = "The stored object cannot be decrypted: it was altered, or it belongs to another record."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)


class KeyDestroyed(DomainError):
    """The tenant's data key was destroyed (crypto-shredding): its encrypted data is gone for good.

    410 Gone: the data existed and will never be available again; retrying cannot help.
    """

    status_code = 410
    default_code = "key_destroyed"
    default_message = "This workspace's encryption key was destroyed; its encrypted data is unrecoverable."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)


class DataKeyUnavailable(ServiceUnavailableError):
    """A data key cannot be unwrapped: its master key is not configured, or the wrapped key does not
    authenticate under it. An operator has to fix the configuration; the data is not lost."""

    default_code = "key_unavailable"


class ObjectTooLarge(DomainError):
    """Objects are encrypted whole, in memory; larger ones are refused before any work is done."""

    status_code = 413
    default_code = "too_large"
