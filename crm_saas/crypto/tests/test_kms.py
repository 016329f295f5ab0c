"""LocalKms: wrapping data keys under master keys from the environment, and how it is configured."""

from __future__ import annotations

import base64
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from crm_saas.crypto import kms
from crm_saas.crypto.errors import DataKeyUnavailable
from crm_saas.crypto.kms import (
    LocalKms,
    development_master_key,
    get_kms,
    master_keys_from_env,
)

BASE_DIR = Path(__file__).resolve().parents[3]
CONTEXT = {"purpose": "tenant-data-key", "tenant_id": "7", "version": "1"}


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def test_a_data_key_round_trips_and_names_its_master_key(k1, k2) -> None:
    local = LocalKms([k2, k1])
    plaintext, wrapped, master_key_id = local.generate_data_key(context=CONTEXT)

    assert len(plaintext) == 32
    assert master_key_id == "k2" == local.current_master_key_id
    assert wrapped.startswith(b"CRMK\x01\x02k2")  # magic, format version, id length, id
    assert plaintext not in wrapped
    assert local.unwrap(wrapped, context=CONTEXT) == plaintext
    assert local.generate_data_key(context=CONTEXT)[0] != plaintext  # fresh every time
    assert "k1" in repr(local) and b64(k1[1]) not in repr(local)


def test_the_context_is_bound(k1) -> None:
    local = LocalKms([k1])
    _, wrapped, _ = local.generate_data_key(context=CONTEXT)
    for other in ({**CONTEXT, "tenant_id": "8"}, {**CONTEXT, "version": "2"}, {**CONTEXT, "extra": "x"}, {}):
        with pytest.raises(DataKeyUnavailable):
            local.unwrap(wrapped, context=other)


@pytest.mark.parametrize("position", [0, 4, 5, 6, 8, 20, 40, -1])
def test_a_tampered_wrapped_key_does_not_unwrap(k1, position: int) -> None:
    local = LocalKms([k1])
    _, wrapped, _ = local.generate_data_key(context=CONTEXT)
    tampered = bytearray(wrapped)
    tampered[position] ^= 0x01
    with pytest.raises(DataKeyUnavailable):
        local.unwrap(bytes(tampered), context=CONTEXT)
    for truncated in (wrapped[:-1], wrapped[:10], b""):
        with pytest.raises(DataKeyUnavailable):
            local.unwrap(truncated, context=CONTEXT)


def test_rewrap_moves_a_key_to_the_current_master_key(k1, k2) -> None:
    plaintext, wrapped, _ = LocalKms([k1]).generate_data_key(context=CONTEXT)

    rewrapped, master_key_id = LocalKms([k2, k1]).rewrap(wrapped, context=CONTEXT)

    assert master_key_id == "k2"
    assert LocalKms([k2]).unwrap(rewrapped, context=CONTEXT) == plaintext
    with pytest.raises(DataKeyUnavailable) as error:
        LocalKms([k2]).unwrap(wrapped, context=CONTEXT)  # k1 is gone
    assert "master key 'k1' is not configured" in error.value.message
    assert error.value.status_code == 503


def test_a_master_key_of_the_same_id_but_other_bytes_does_not_unwrap(k1) -> None:
    _, wrapped, _ = LocalKms([k1]).generate_data_key(context=CONTEXT)
    with pytest.raises(DataKeyUnavailable):
        LocalKms([("k1", os.urandom(32))]).unwrap(wrapped, context=CONTEXT)


def test_master_keys_parse_strictly_and_never_echo_the_secret() -> None:
    one, two = os.urandom(32), os.urandom(32)
    assert master_keys_from_env({"CRM_MASTER_KEYS": f"k2:{b64(two)}, k1:{b64(one)}"}, required=True) == [
        ("k2", two),
        ("k1", one),
    ]
    assert master_keys_from_env({"CRM_MASTER_KEY": b64(one)}, required=True) == [("k1", one)]
    assert master_keys_from_env({}, required=False) == []

    short = b64(os.urandom(16))
    bad = [
        ("CRM_MASTER_KEYS", ""),  # required, but empty
        ("CRM_MASTER_KEYS", b64(one)),  # no id
        ("CRM_MASTER_KEYS", f"k1:{short}"),
        ("CRM_MASTER_KEYS", "k1:not base64!"),
        ("CRM_MASTER_KEYS", f"k1:{b64(one)},k1:{b64(two)}"),
        ("CRM_MASTER_KEYS", f"k 1:{b64(one)}"),
        ("CRM_MASTER_KEY", short),
    ]
    for name, value in bad:
        with pytest.raises(ImproperlyConfigured) as error:
            master_keys_from_env({name: value}, required=True)
        assert short not in str(error.value) and b64(one) not in str(error.value), value
    with pytest.raises(ImproperlyConfigured, match="not both"):
        master_keys_from_env({"CRM_MASTER_KEYS": f"k1:{b64(one)}", "CRM_MASTER_KEY": b64(two)}, required=False)


def test_development_uses_a_stable_key_derived_from_the_secret_key_and_says_so(settings, caplog, monkeypatch) -> None:
    assert development_master_key("secret") == development_master_key("secret")
    assert development_master_key("secret") != development_master_key("other secret")
    settings.ENCRYPTION_MASTER_KEYS = []
    monkeypatch.setattr(kms, "_development_key_warned", False)

    with caplog.at_level(logging.WARNING, logger="crm_saas.crypto.kms"):
        local = get_kms()
        kms.reset_kms()
        get_kms()

    assert local.current_master_key_id == "dev"
    assert caplog.text.count("development master key") == 1  # once per process
    plaintext, wrapped, _ = local.generate_data_key(context=CONTEXT)
    derived = LocalKms([("dev", development_master_key(settings.SECRET_KEY))])
    assert derived.unwrap(wrapped, context=CONTEXT) == plaintext


def test_configured_keys_come_first_and_the_development_key_stays_for_unwrapping(settings, k1) -> None:
    settings.ENCRYPTION_MASTER_KEYS = [k1]
    assert get_kms().current_master_key_id == "k1"
    assert get_kms().master_key_ids == ["k1", "dev"]


def test_an_unknown_kms_backend_is_refused(settings) -> None:
    settings.KMS_BACKEND = "vault"
    with pytest.raises(ImproperlyConfigured, match="CRM_KMS_BACKEND='vault'"):
        get_kms()


# --- The settings, in a fresh interpreter as at start-up -----------------------------------------

VALID_KEY = b64(os.urandom(32))
PROBE = (
    "from django.conf import settings; "
    "print(settings.KMS_BACKEND, [key_id for key_id, _ in settings.ENCRYPTION_MASTER_KEYS], "
    "settings.DATA_KEY_CACHE_SECONDS)"
)


def start_settings(**env: str) -> subprocess.CompletedProcess:
    environ = {
        name: value
        for name, value in os.environ.items()
        if name not in {"CRM_MASTER_KEYS", "CRM_MASTER_KEY", "CRM_KMS_BACKEND", "CRM_DATA_KEY_CACHE_SECONDS"}
    }
    environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "crm_saas.settings.base",
            "CRM_ENV": "production",
            "DJANGO_SECRET_KEY": "production-secret-key-for-this-test-only-0123456789",
            **env,
        }
    )
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=BASE_DIR, env=environ, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_master_keys() -> None:
    started = start_settings()
    assert started.returncode != 0
    assert "ImproperlyConfigured: CRM_MASTER_KEYS is required in production" in started.stderr


def test_production_starts_with_master_keys_and_prints_no_secret() -> None:
    one, two = b64(os.urandom(32)), b64(os.urandom(32))
    started = start_settings(CRM_MASTER_KEYS=f"k2:{two},k1:{one}", CRM_DATA_KEY_CACHE_SECONDS="60")
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "local ['k2', 'k1'] 60"
    assert one not in started.stdout + started.stderr

    single = start_settings(CRM_MASTER_KEY=one)
    assert single.returncode == 0, single.stderr
    assert single.stdout.strip() == "local ['k1'] 300"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CRM_MASTER_KEYS": "k1:c2hvcnQ="}, "CRM_MASTER_KEYS entry 1: the key must be base64 of exactly 32 bytes"),
        ({"CRM_MASTER_KEY": VALID_KEY, "CRM_KMS_BACKEND": "vault"}, "CRM_KMS_BACKEND='vault': the only backend is"),
        (
            {"CRM_MASTER_KEY": VALID_KEY, "CRM_DATA_KEY_CACHE_SECONDS": "-1"},
            "CRM_DATA_KEY_CACHE_SECONDS must be 0 (no cache) or more",
        ),
    ],
)
def test_bad_encryption_settings_stop_the_start(env: dict[str, str], message: str) -> None:
    started = start_settings(**env)
    assert started.returncode != 0
    assert f"ImproperlyConfigured: {message}" in started.stderr


def test_development_starts_without_master_keys() -> None:
    started = start_settings(CRM_ENV="development")
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "local [] 300"
