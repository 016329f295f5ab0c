from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from crm_saas.storage.base import ObjectStore


@lru_cache(maxsize=1)
def get_object_store() -> ObjectStore:
    """The configured store (settings.OBJECT_STORAGE), built once per process."""
    config = settings.OBJECT_STORAGE
    backend = config["BACKEND"]
    if backend == "filesystem":
        from crm_saas.storage.filesystem import FilesystemObjectStore

        return FilesystemObjectStore(config["ROOT"])
    if backend == "s3":
        from crm_saas.storage.s3 import S3ObjectStore

        return S3ObjectStore(
            bucket=config["S3_BUCKET"],
            endpoint_url=config["S3_ENDPOINT_URL"],
            region=config["S3_REGION"],
            create_bucket=config["S3_CREATE_BUCKET"],
        )
    raise ImproperlyConfigured(f"OBJECT_STORAGE_BACKEND={backend!r}: use 'filesystem' or 's3'.")


def reset_object_store() -> None:
    """Forget the cached store (after settings change, e.g. in tests)."""
    get_object_store.cache_clear()
