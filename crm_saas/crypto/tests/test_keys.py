"""Data key lifecycle: master key rotation without touching objects, crypto-shredding, the cache."""

from __future__ import annotations

import base64
import io
import logging
import os
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tenants.utils import schema_context

from crm_saas.audit.models import AuditEvent
from crm_saas.crypto.envelope import decrypt_object, encrypt_object, encrypted_get, encrypted_put
from crm_saas.crypto.errors import DataKeyUnavailable, DecryptionFailed, KeyDestroyed
from crm_saas.crypto.keys import (
    AUDIT_DATA_KEY_DESTROYED,
    DataKeyCache,
    data_key_cache,
    data_key_plaintext,
    tenant_data_key_destroy,
    tenant_data_key_ensure,
    tenant_data_key_rotate_master,
)
from crm_saas.crypto.tests.helpers import wav_bytes
from crm_saas.storage import get_object_store, tenant_object_key
from crm_saas.testing.world import PASSWORD, TenantWorld
from tenants.models import Tenant, TenantDataKey
from tenants.services import operator_create, tenant_ensure_public

pytestmark = pytest.mark.usefixtures("no_data_keys")

AUDIO = "voice.audio"


def store_note(world: TenantWorld) -> tuple[str, str, bytes]:
    """An encrypted voice note of ``world``: (object key, note id, plaintext)."""
    audio, note_id = wav_bytes(seconds=0.3), str(uuid.uuid4())
    with world.active():
        key = tenant_object_key("voice", f"{note_id}.bin")
        encrypted_put(key=key, plaintext=audio, object_id=note_id, purpose=AUDIO)
    return key, note_id, audio


def read_note(world: TenantWorld, key: str, note_id: str) -> bytes:
    with world.active():
        return encrypted_get(key=key, object_id=note_id, purpose=AUDIO)


def test_ensure_creates_one_active_key_and_then_returns_it(alpha: TenantWorld) -> None:
    first = tenant_data_key_ensure(tenant=alpha.tenant)
    assert tenant_data_key_ensure(tenant=alpha.tenant).pk == first.pk
    assert TenantDataKey.objects.filter(tenant=alpha.tenant).count() == 1
    assert (first.version, first.is_active, first.master_key_id) == (1, True, "dev")
    with pytest.raises(RuntimeError, match="public"):
        tenant_data_key_ensure(tenant=tenant_ensure_public())


# --- Master key rotation ------------------------------------------------------------------------


def test_rotation_rewraps_keys_and_leaves_the_stored_objects_alone(alpha: TenantWorld, master_keys, k1, k2) -> None:
    master_keys(k1)
    key, note_id, audio = store_note(alpha)
    stored_before = get_object_store().get(key)
    row = TenantDataKey.objects.get(tenant=alpha.tenant)
    wrapped_before = bytes(row.wrapped_key)
    assert row.master_key_id == "k1"

    master_keys(k2, k1)  # k2 becomes current, k1 stays listed for the rotation
    assert read_note(alpha, key, note_id) == audio  # still readable before the rotation
    result = tenant_data_key_rotate_master()

    assert result.master_key_id == "k2"
    assert result.rewrapped >= 1 and result.failed == 0
    row.refresh_from_db()
    assert row.master_key_id == "k2" and row.rotated_at is not None
    assert bytes(row.wrapped_key) != wrapped_before and b"k2" in bytes(row.wrapped_key)[:8]

    master_keys(k2)  # k1 removed from the environment: only a real re-wrap can still be read
    assert read_note(alpha, key, note_id) == audio
    assert get_object_store().get(key) == stored_before  # the object was never rewritten
    assert tenant_data_key_rotate_master().rewrapped == 0  # nothing left to do


def test_without_rotation_removing_the_old_master_key_makes_data_unavailable(
    alpha: TenantWorld, master_keys, k1, k2
) -> None:
    master_keys(k1)
    key, note_id, audio = store_note(alpha)
    master_keys(k2)
    with pytest.raises(DataKeyUnavailable) as error:
        read_note(alpha, key, note_id)
    assert error.value.status_code == 503
    master_keys(k2, k1)  # put it back: nothing was lost
    assert read_note(alpha, key, note_id) == audio


def test_the_rotate_command_prints_counts_and_fails_loudly_on_a_missing_master_key(
    alpha: TenantWorld, beta: TenantWorld, master_keys, k1, k2
) -> None:
    master_keys(k1)
    store_note(alpha)
    store_note(beta)
    master_keys(k2, k1)
    out = io.StringIO()
    call_command("rotate_master_key", stdout=out)
    assert "Master key 'k2': 2 data keys re-wrapped, 0 already current, 0 destroyed (skipped), 0 failed." in (
        out.getvalue()
    )

    master_keys(("k3", os.urandom(32)))  # k2 is not listed: nothing can be unwrapped
    with pytest.raises(CommandError, match="2 data keys could not be unwrapped"):
        call_command("rotate_master_key", stdout=io.StringIO())
    assert set(TenantDataKey.objects.values_list("master_key_id", flat=True)) == {"k2"}  # untouched


def test_rotation_skips_destroyed_keys(alpha: TenantWorld, beta: TenantWorld, master_keys, k1, k2) -> None:
    master_keys(k1)
    store_note(alpha)
    store_note(beta)
    tenant_data_key_destroy(tenant=beta.tenant)
    master_keys(k2, k1)
    result = tenant_data_key_rotate_master()
    assert (result.rewrapped, result.destroyed, result.failed) == (1, 1, 0)
    beta_row = TenantDataKey.objects.get(tenant=beta.tenant)
    assert beta_row.wrapped_key is None and beta_row.master_key_id == ""


# --- Destruction (crypto-shredding) --------------------------------------------------------------


def test_destroying_the_key_makes_everything_unrecoverable_even_with_a_warm_cache(
    alpha: TenantWorld, beta: TenantWorld, settings
) -> None:
    settings.DATA_KEY_CACHE_SECONDS = 300
    key, note_id, _ = store_note(alpha)
    beta_key, beta_note, beta_audio = store_note(beta)
    read_note(alpha, key, note_id)
    assert data_key_cache.holds(tenant_id=alpha.tenant.pk)  # warm

    assert tenant_data_key_destroy(tenant=alpha.tenant) == 1

    assert not data_key_cache.holds(tenant_id=alpha.tenant.pk)
    row = TenantDataKey.objects.get(tenant=alpha.tenant)
    assert row.wrapped_key is None and row.master_key_id == "" and not row.is_active and row.destroyed_at
    for attempt in (
        lambda: read_note(alpha, key, note_id),
        lambda: store_note(alpha),  # nothing new is written for a shredded tenant
        lambda: tenant_data_key_ensure(tenant=alpha.tenant),
    ):
        with pytest.raises(KeyDestroyed) as error:
            attempt()
        assert error.value.status_code == 410
        assert "encryption key was destroyed" in error.value.message and "unrecoverable" in error.value.message
    assert read_note(beta, beta_key, beta_note) == beta_audio  # other tenants are untouched


def test_destroy_is_idempotent_and_audited_once_in_both_trails(alpha: TenantWorld) -> None:
    store_note(alpha)
    with schema_context("public"):
        operator = operator_create(email="ops@platform.test", password=PASSWORD)

    assert tenant_data_key_destroy(tenant=alpha.tenant, actor=operator) == 1
    assert tenant_data_key_destroy(tenant=alpha.tenant, actor=operator) == 0

    with schema_context("public"):
        events = list(AuditEvent.objects.filter(action=AUDIT_DATA_KEY_DESTROYED))
    assert len(events) == 1
    event = events[0]
    assert (event.actor_id, event.target_type, event.target_id) == (operator.pk, "tenant", str(alpha.tenant.pk))
    assert event.metadata == {"key_versions": [1]}
    with alpha.active():
        assert AuditEvent.objects.filter(action=AUDIT_DATA_KEY_DESTROYED, actor_label="platform").count() == 1


def test_a_tenant_destroyed_before_it_had_a_key_never_gets_one(alpha: TenantWorld) -> None:
    assert tenant_data_key_destroy(tenant=alpha.tenant) == 0
    assert TenantDataKey.objects.get(tenant=alpha.tenant).destroyed_at is not None
    with alpha.active(), pytest.raises(KeyDestroyed):
        encrypt_object(plaintext=b"x", object_id="1", purpose=AUDIO)
    assert tenant_data_key_destroy(tenant=alpha.tenant) == 0
    with pytest.raises(RuntimeError, match="public"):
        tenant_data_key_destroy(tenant=Tenant.objects.get(schema_name="public"))


def test_a_key_destroyed_by_another_process_is_refused_here_at_once(alpha: TenantWorld, settings) -> None:
    """Another process's destroy does not reach this process's cache, so the plaintext key stays in
    this process's memory until the TTL runs out. It is never used again: every decrypt reads the
    key's row first. (The update below is what the other process's destroy writes.)"""
    settings.DATA_KEY_CACHE_SECONDS = 300
    key, note_id, _ = store_note(alpha)
    read_note(alpha, key, note_id)

    TenantDataKey.objects.filter(tenant=alpha.tenant).update(
        wrapped_key=None, master_key_id="", is_active=False, destroyed_at=timezone.now()
    )

    assert data_key_cache.holds(tenant_id=alpha.tenant.pk)  # the honest part: still in memory
    with pytest.raises(KeyDestroyed):
        read_note(alpha, key, note_id)


# --- The cache -------------------------------------------------------------------------------


def test_the_cache_saves_unwrapping_only_while_enabled(alpha: TenantWorld, settings, monkeypatch) -> None:
    from crm_saas.crypto import keys

    unwraps: list[int] = []
    real_get_kms = keys.get_kms

    class CountingKms:
        def __getattr__(self, name):
            return getattr(real_get_kms(), name)

        def unwrap(self, wrapped, *, context):
            unwraps.append(1)
            return real_get_kms().unwrap(wrapped, context=context)

    monkeypatch.setattr(keys, "get_kms", CountingKms)
    row = tenant_data_key_ensure(tenant=alpha.tenant)
    data_key_cache.clear()

    for _ in range(3):
        data_key_plaintext(row)
    assert len(unwraps) == 3  # DATA_KEY_CACHE_SECONDS = 0: unwrapped every time

    settings.DATA_KEY_CACHE_SECONDS = 300
    keys_seen = {data_key_plaintext(row) for _ in range(3)}
    assert len(unwraps) == 4 and len(keys_seen) == 1


def test_cache_entries_expire_are_bounded_and_belong_to_their_row() -> None:
    now = [1000.0]
    cache = DataKeyCache(maxsize=2, clock=lambda: now[0])
    cache.put(tenant_id=1, version=1, row_id=10, key=b"a" * 32, ttl=60)
    assert cache.get(tenant_id=1, version=1, row_id=10) == b"a" * 32
    assert cache.get(tenant_id=1, version=1, row_id=11) is None  # a recreated row
    cache.put(tenant_id=1, version=1, row_id=10, key=b"a" * 32, ttl=60)
    now[0] += 60
    assert cache.get(tenant_id=1, version=1, row_id=10) is None  # expired

    for tenant_id in (1, 2, 3):
        cache.put(tenant_id=tenant_id, version=1, row_id=tenant_id, key=b"k" * 32, ttl=60)
    assert not cache.holds(tenant_id=1) and cache.holds(tenant_id=2) and cache.holds(tenant_id=3)
    cache.put(tenant_id=4, version=1, row_id=4, key=b"k" * 32, ttl=0)  # caching off
    assert not cache.holds(tenant_id=4)
    cache.forget_tenant(2)
    assert not cache.holds(tenant_id=2) and cache.holds(tenant_id=3)


# --- Secrets stay secret ------------------------------------------------------------------------


def test_no_key_material_reaches_the_log_or_the_rows_text(alpha: TenantWorld, master_keys, k1, k2, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    master_keys(k1)
    _, note_id, _ = store_note(alpha)
    row = TenantDataKey.objects.get(tenant=alpha.tenant)
    wrapped, plaintext_key = bytes(row.wrapped_key), data_key_plaintext(row)
    with alpha.active(), pytest.raises(DecryptionFailed):
        decrypt_object(blob=b"CRME" + bytes(60), object_id=note_id, purpose=AUDIO)
    master_keys(k2, k1)
    tenant_data_key_rotate_master()
    tenant_data_key_destroy(tenant=alpha.tenant)

    secrets = [wrapped, plaintext_key, k1[1], k2[1]]
    texts = [caplog.text, str(row), repr(row)]
    for secret in secrets:
        for encoded in (secret.hex(), base64.b64encode(secret).decode(), repr(secret)[2:-1]):
            assert not any(encoded in text for text in texts)
    assert "Refused to decrypt voice.audio object" in caplog.text  # the refusal itself is logged
