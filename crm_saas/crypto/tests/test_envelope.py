"""Objects encrypted for the current tenant: what is stored, and everything that must not decrypt."""

from __future__ import annotations

import uuid

import boto3
import pytest

from crm_saas.crypto import envelope
from crm_saas.crypto.envelope import (
    BLOB_OVERHEAD_BYTES,
    HEADER_BYTES,
    decrypt_object,
    encrypt_object,
    encrypted_get,
    encrypted_put,
)
from crm_saas.crypto.errors import DecryptionFailed, ObjectTooLarge
from crm_saas.crypto.tests.helpers import wav_bytes, windows
from crm_saas.errors import DomainError
from crm_saas.storage import get_object_store, tenant_object_key
from crm_saas.testing.world import TenantWorld
from tenants.models import TenantDataKey

pytestmark = pytest.mark.usefixtures("no_data_keys")

AUDIO = "voice.audio"


def new_id() -> str:
    return str(uuid.uuid4())


def test_round_trip_creates_the_tenant_key_on_first_use(alpha: TenantWorld) -> None:
    audio, note_id = wav_bytes(), new_id()
    with alpha.active():
        blob = encrypt_object(plaintext=audio, object_id=note_id, purpose=AUDIO)
        assert decrypt_object(blob=blob, object_id=note_id, purpose=AUDIO) == audio
        assert encrypt_object(plaintext=b"", object_id=note_id, purpose=AUDIO)  # empty is fine too

    assert blob[:5] == b"CRME\x01"
    assert int.from_bytes(blob[5:9], "big") == 1  # data key version
    assert len(blob) == len(audio) + BLOB_OVERHEAD_BYTES
    key = TenantDataKey.objects.get(tenant=alpha.tenant)
    assert (key.version, key.is_active, key.destroyed_at, key.master_key_id) == (1, True, None, "dev")


def test_the_blob_contains_no_playable_audio(alpha: TenantWorld) -> None:
    audio = wav_bytes()
    assert audio[:4] == b"RIFF" and audio[8:12] == b"WAVE"
    with alpha.active():
        blob = encrypt_object(plaintext=audio, object_id=new_id(), purpose=AUDIO)

    assert b"RIFF" not in blob
    assert b"WAVE" not in blob
    assert not windows(audio) & windows(blob)  # no 16-byte run of the plaintext anywhere


def test_every_encryption_uses_a_fresh_nonce(alpha: TenantWorld) -> None:
    audio, note_id = wav_bytes(seconds=0.1), new_id()
    with alpha.active():
        blobs = [encrypt_object(plaintext=audio, object_id=note_id, purpose=AUDIO) for _ in range(20)]
        assert {decrypt_object(blob=blob, object_id=note_id, purpose=AUDIO) for blob in blobs} == {audio}
    assert len(set(blobs)) == 20
    assert len({blob[9:HEADER_BYTES] for blob in blobs}) == 20


@pytest.mark.parametrize(
    "position",
    [
        pytest.param(0, id="magic"),
        pytest.param(4, id="format-version"),
        pytest.param(8, id="key-version"),
        pytest.param(9, id="nonce-first"),
        pytest.param(20, id="nonce-last"),
        pytest.param(HEADER_BYTES, id="ciphertext-first"),
        pytest.param(2000, id="ciphertext-middle"),
        pytest.param(-16, id="tag-first"),
        pytest.param(-1, id="tag-last"),
    ],
)
def test_a_flipped_bit_anywhere_is_refused(alpha: TenantWorld, position: int) -> None:
    note_id = new_id()
    with alpha.active():
        blob = encrypt_object(plaintext=wav_bytes(seconds=0.5), object_id=note_id, purpose=AUDIO)
        for bit in (0x01, 0x80):
            tampered = bytearray(blob)
            tampered[position] ^= bit
            with pytest.raises(DecryptionFailed):
                decrypt_object(blob=bytes(tampered), object_id=note_id, purpose=AUDIO)


def test_truncated_or_extended_blobs_are_refused(alpha: TenantWorld) -> None:
    note_id = new_id()
    with alpha.active():
        blob = encrypt_object(plaintext=wav_bytes(seconds=0.1), object_id=note_id, purpose=AUDIO)
        broken_blobs = [blob[:-1], blob[:-16], blob[:BLOB_OVERHEAD_BYTES], blob[:HEADER_BYTES], blob[:5], b""]
        for broken in [*broken_blobs, blob + b"\0"]:
            with pytest.raises(DecryptionFailed):
                decrypt_object(blob=broken, object_id=note_id, purpose=AUDIO)


def test_plain_audio_handed_to_decrypt_is_refused(alpha: TenantWorld) -> None:
    with alpha.active(), pytest.raises(DecryptionFailed):
        decrypt_object(blob=wav_bytes(), object_id=new_id(), purpose=AUDIO)


def test_blobs_swapped_between_two_records_do_not_decrypt(alpha: TenantWorld) -> None:
    first_id, second_id = new_id(), new_id()
    with alpha.active():
        first = encrypt_object(plaintext=wav_bytes(seconds=0.2), object_id=first_id, purpose=AUDIO)
        second = encrypt_object(plaintext=wav_bytes(seconds=0.3), object_id=second_id, purpose=AUDIO)
        with pytest.raises(DecryptionFailed):
            decrypt_object(blob=first, object_id=second_id, purpose=AUDIO)
        with pytest.raises(DecryptionFailed):
            decrypt_object(blob=second, object_id=first_id, purpose=AUDIO)


def test_a_blob_for_another_purpose_does_not_decrypt(alpha: TenantWorld) -> None:
    note_id = new_id()
    with alpha.active():
        blob = encrypt_object(plaintext=b"transcript text", object_id=note_id, purpose="voice.transcript")
        with pytest.raises(DecryptionFailed):
            decrypt_object(blob=blob, object_id=note_id, purpose=AUDIO)


def test_a_blob_moved_to_another_tenant_does_not_decrypt(alpha: TenantWorld, beta: TenantWorld) -> None:
    note_id = new_id()
    with alpha.active():
        blob = encrypt_object(plaintext=wav_bytes(), object_id=note_id, purpose=AUDIO)
    with beta.active():
        with pytest.raises(DecryptionFailed):  # beta has no data key yet
            decrypt_object(blob=blob, object_id=note_id, purpose=AUDIO)
        encrypt_object(plaintext=b"beta's own", object_id=new_id(), purpose=AUDIO)  # now it has version 1 too
        with pytest.raises(DecryptionFailed):
            decrypt_object(blob=blob, object_id=note_id, purpose=AUDIO)
    with alpha.active():
        assert decrypt_object(blob=blob, object_id=note_id, purpose=AUDIO) == wav_bytes()


def test_decryption_failed_is_a_409_that_says_what_happened(alpha: TenantWorld) -> None:
    with alpha.active(), pytest.raises(DecryptionFailed) as error:
        decrypt_object(blob=b"garbage" * 10, object_id=new_id(), purpose=AUDIO)
    assert isinstance(error.value, DomainError)
    assert error.value.status_code == 409
    assert error.value.code == "decryption_failed"
    assert error.value.message.startswith("The stored object cannot be decrypted")


def test_nothing_is_encrypted_or_decrypted_outside_a_tenant(alpha: TenantWorld) -> None:
    with alpha.active():
        blob = encrypt_object(plaintext=b"x", object_id="1", purpose=AUDIO)
    # The tests run in the public schema between tenant blocks.
    with pytest.raises(RuntimeError, match="tenant"):
        encrypt_object(plaintext=b"x", object_id="1", purpose=AUDIO)
    with pytest.raises(RuntimeError, match="tenant"):
        decrypt_object(blob=blob, object_id="1", purpose=AUDIO)


def test_ids_and_purposes_are_checked(alpha: TenantWorld) -> None:
    with alpha.active():
        for object_id, purpose in [("", AUDIO), ("x" * 201, AUDIO), ("1", ""), ("1", "Voice Audio"), ("1", "a/b")]:
            with pytest.raises(ValueError):
                encrypt_object(plaintext=b"x", object_id=object_id, purpose=purpose)


def test_objects_over_the_size_limit_are_refused_clearly(alpha: TenantWorld, monkeypatch) -> None:
    assert envelope.MAX_PLAINTEXT_BYTES == 256 * 1024 * 1024
    monkeypatch.setattr(envelope, "MAX_PLAINTEXT_BYTES", 3 * 1024 * 1024)
    with alpha.active():
        assert encrypt_object(plaintext=b"\0" * (3 * 1024 * 1024), object_id="1", purpose=AUDIO)
        with pytest.raises(ObjectTooLarge) as error:
            encrypt_object(plaintext=b"\0" * (4 * 1024 * 1024), object_id="1", purpose=AUDIO)
    assert error.value.status_code == 413
    assert error.value.message == "This object is 4 MB; encrypted objects are limited to 3 MB."


# --- Through the object store ---------------------------------------------------------------------


def test_stored_objects_are_ciphertext_under_keys_without_personal_data(alpha: TenantWorld) -> None:
    audio, note_id = wav_bytes(), new_id()
    with alpha.active():
        key = tenant_object_key("voice", f"{note_id}.bin")
        encrypted_put(key=key, plaintext=audio, object_id=note_id, purpose=AUDIO)
        stored = get_object_store().get(key)
        assert encrypted_get(key=key, object_id=note_id, purpose=AUDIO) == audio
        with pytest.raises(DecryptionFailed):
            encrypted_get(key=key, object_id=new_id(), purpose=AUDIO)

    assert key == f"tenants/alpha/voice/{note_id}.bin"
    assert stored[:4] == b"CRME" and b"RIFF" not in stored and b"WAVE" not in stored
    assert not windows(audio) & windows(stored)


def test_an_object_copied_into_another_tenants_prefix_does_not_decrypt(alpha: TenantWorld, beta: TenantWorld) -> None:
    note_id = new_id()
    with alpha.active():
        alpha_key = tenant_object_key("voice", f"{note_id}.bin")
        encrypted_put(key=alpha_key, plaintext=wav_bytes(), object_id=note_id, purpose=AUDIO)
    with beta.active():
        beta_key = tenant_object_key("voice", f"{note_id}.bin")
        get_object_store().put(beta_key, get_object_store().get(alpha_key))
        with pytest.raises(DecryptionFailed):
            encrypted_get(key=beta_key, object_id=note_id, purpose=AUDIO)
        # And the API refuses to reach into another tenant's prefix at all.
        with pytest.raises(ValueError, match="current tenant's prefix"):
            encrypted_get(key=alpha_key, object_id=note_id, purpose=AUDIO)
        with pytest.raises(ValueError, match="current tenant's prefix"):
            encrypted_put(key=alpha_key, plaintext=b"x", object_id=note_id, purpose=AUDIO)


@pytest.mark.s3
def test_the_s3_server_holds_only_ciphertext(alpha: TenantWorld, s3_storage: dict[str, str]) -> None:
    audio, note_id = wav_bytes(), new_id()
    with alpha.active():
        key = tenant_object_key("voice", f"{note_id}.bin")
        encrypted_put(key=key, plaintext=audio, object_id=note_id, purpose=AUDIO)

    # Read it back with a client that knows nothing of the product.
    client = boto3.client("s3", endpoint_url=s3_storage["S3_ENDPOINT_URL"], region_name="us-east-1")
    stored = client.get_object(Bucket=s3_storage["S3_BUCKET"], Key=key)
    body = stored["Body"].read()
    assert stored["ContentType"] == "application/octet-stream"
    assert len(body) == len(audio) + BLOB_OVERHEAD_BYTES
    assert body[:4] == b"CRME" and b"RIFF" not in body and b"WAVE" not in body
    assert not windows(audio) & windows(body)

    with alpha.active():
        assert encrypted_get(key=key, object_id=note_id, purpose=AUDIO) == audio
