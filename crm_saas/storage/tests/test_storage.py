"""The object storage layer, on the filesystem and over HTTP against a local S3 API server."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from django.core.exceptions import ImproperlyConfigured

from crm_saas.storage import ObjectNotFound, StorageUnavailable, get_object_store, reset_object_store, tenant_object_key
from crm_saas.storage.filesystem import FilesystemObjectStore
from crm_saas.storage.s3 import S3ObjectStore
from crm_saas.testing.processes import free_port


@pytest.fixture(params=["filesystem", "s3"])
def store(request, tmp_path: Path) -> Iterator[FilesystemObjectStore | S3ObjectStore]:
    if request.param == "filesystem":
        yield FilesystemObjectStore(tmp_path / "objects")
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        yield S3ObjectStore(bucket=f"t-{uuid.uuid4().hex[:12]}", endpoint_url=endpoint, create_bucket=True)


class Exploding:
    """A stream that fails half-way, like a dropped upload."""

    def __init__(self) -> None:
        self.calls = 0

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
        if self.calls > 1:
            raise ConnectionResetError("client went away")
        return b"partial" * 10


def test_round_trip(store) -> None:
    payload = bytes(range(256)) * 1000
    store.put("tenants/acme/blobs/one.bin", payload)
    store.put("tenants/acme/blobs/two.csv", io.BytesIO(b"a,b\n1,2\n"), content_type="text/csv")
    store.put("tenants/other/blobs/three.bin", b"3")

    assert store.get("tenants/acme/blobs/one.bin") == payload
    assert b"".join(store.open("tenants/acme/blobs/one.bin", chunk_size=1000)) == payload
    assert store.exists("tenants/acme/blobs/two.csv")
    assert store.list_keys("tenants/acme/") == ["tenants/acme/blobs/one.bin", "tenants/acme/blobs/two.csv"]

    store.put("tenants/acme/blobs/two.csv", b"replaced")
    assert store.get("tenants/acme/blobs/two.csv") == b"replaced"

    store.delete("tenants/acme/blobs/one.bin")
    store.delete("tenants/acme/blobs/never-existed.bin")  # harmless
    assert not store.exists("tenants/acme/blobs/one.bin")
    with pytest.raises(ObjectNotFound):
        store.get("tenants/acme/blobs/one.bin")
    with pytest.raises(ObjectNotFound):
        b"".join(store.open("tenants/acme/blobs/one.bin"))
    assert store.list_keys("tenants/nobody/") == []


@pytest.mark.parametrize(
    "key", ["tenants/a/../b", "../x", "/abs/path", "a//b", "Tenants/A", "a/b/", "", "a b", "a/./b/.."]
)
def test_unsafe_keys_are_refused(store, key: str) -> None:
    with pytest.raises(ValueError, match="Invalid object key"):
        store.put(key, b"x")
    with pytest.raises(ValueError, match="Invalid object key"):
        store.get(key)


def test_s3_objects_really_travel_through_the_s3_api(s3_endpoint: str) -> None:
    bucket = f"t-{uuid.uuid4().hex[:12]}"
    S3ObjectStore(bucket=bucket, endpoint_url=s3_endpoint, create_bucket=True).put("tenants/x/a.bin", b"over http")
    plain = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    assert plain.get_object(Bucket=bucket, Key="tenants/x/a.bin")["Body"].read() == b"over http"


def test_an_unreachable_s3_server_is_a_clear_503(tmp_path: Path) -> None:
    client = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        region_name="us-east-1",
        config=Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 1}),
    )
    store = S3ObjectStore(bucket="down", client=client)
    for call in (lambda: store.put("tenants/x/a", b"1"), lambda: store.get("tenants/x/a")):
        with pytest.raises(StorageUnavailable) as error:
            call()
        assert error.value.status_code == 503
        assert error.value.message == "Object storage is unreachable."


def test_filesystem_writes_are_atomic(tmp_path: Path) -> None:
    store = FilesystemObjectStore(tmp_path)
    with pytest.raises(ConnectionResetError):
        store.put("tenants/acme/upload.bin", Exploding())
    assert not store.exists("tenants/acme/upload.bin")
    store.put("tenants/acme/upload.bin", b"complete")
    leftovers = [path.name for path in tmp_path.rglob("*") if path.name.startswith(".upload-")]
    assert leftovers == []
    assert [path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*") if path.is_file()] == [
        "tenants/acme/upload.bin"
    ]


def test_tenant_keys_carry_the_schema_and_fail_closed_outside_a_tenant(alpha) -> None:
    with alpha.active():
        key = tenant_object_key("uploads", "abc.csv")
    assert key == "tenants/alpha/uploads/abc.csv"
    with pytest.raises(RuntimeError, match="inside a tenant"):
        tenant_object_key("uploads", "abc.csv")


def test_the_factory_follows_settings(settings, tmp_path: Path, s3_endpoint: str) -> None:
    try:
        settings.OBJECT_STORAGE = {**settings.OBJECT_STORAGE, "BACKEND": "filesystem", "ROOT": str(tmp_path)}
        reset_object_store()
        assert isinstance(get_object_store(), FilesystemObjectStore)
        assert get_object_store() is get_object_store()

        settings.OBJECT_STORAGE = {**settings.OBJECT_STORAGE, "BACKEND": "s3", "S3_ENDPOINT_URL": s3_endpoint}
        reset_object_store()
        assert isinstance(get_object_store(), S3ObjectStore)

        settings.OBJECT_STORAGE = {**settings.OBJECT_STORAGE, "BACKEND": "ftp"}
        reset_object_store()
        with pytest.raises(ImproperlyConfigured, match="use 'filesystem' or 's3'"):
            get_object_store()
    finally:
        reset_object_store()
