"""Every crypto test starts with no built KMS and an empty data key cache, caching off unless a
test turns it on, so one test's keys never leak into the next."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from crm_saas.crypto.keys import data_key_cache
from crm_saas.crypto.kms import reset_kms
from tenants.models import TenantDataKey


@pytest.fixture(autouse=True)
def _fresh_crypto_state(settings) -> Iterator[None]:
    settings.DATA_KEY_CACHE_SECONDS = 0
    reset_kms()
    data_key_cache.clear()
    yield
    reset_kms()
    data_key_cache.clear()


@pytest.fixture
def no_data_keys(db) -> None:
    """Start from no data keys at all (inside the test's transaction, so nothing is lost): alpha and
    beta are shared by the whole session, and tests driving a real worker may have given them keys."""
    TenantDataKey.objects.all().delete()


@pytest.fixture
def master_keys(settings) -> Callable[..., None]:
    """Configure the master keys as CRM_MASTER_KEYS would (current first) for the rest of the test."""

    def use(*entries: tuple[str, bytes]) -> None:
        settings.ENCRYPTION_MASTER_KEYS = list(entries)
        reset_kms()

    return use


@pytest.fixture
def k1() -> tuple[str, bytes]:
    return ("k1", os.urandom(32))


@pytest.fixture
def k2() -> tuple[str, bytes]:
    return ("k2", os.urandom(32))
