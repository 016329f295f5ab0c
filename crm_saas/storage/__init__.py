"""Object storage for binary data (uploads, voice audio), on S3 or the local filesystem."""

from crm_saas.storage.base import ChunkReader, ObjectNotFound, ObjectStore, StorageUnavailable
from crm_saas.storage.factory import get_object_store, reset_object_store
from crm_saas.storage.keys import tenant_object_key

__all__ = [
    "ChunkReader",
    "ObjectNotFound",
    "ObjectStore",
    "StorageUnavailable",
    "get_object_store",
    "reset_object_store",
    "tenant_object_key",
]
