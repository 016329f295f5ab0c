"""The object storage layer, on the filesystem and over HTTP against a local S3 API server."""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from django.core.exceptions import ImproperlyConfigured

from crm_saas.storage import (
    ChunkReader,
    ObjectNotFound,
    StorageUnavailable,
    get_object_store,
    reset_object_store,
    tenant_object_key,
)
from crm_saas.storage.filesystem import FilesystemObjectStore
from crm_saas.storage.s3 import S3ObjectStore
from crm_saas.testing.processes import free_port

UNSAFE_KEYS = ["tenants/a/../b", "../x", "/abs/path", "a//b", "Tenants/A", "a/b/", "", "a b", "a/./b/.."]


def unique_bucket() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"


def plain_s3_client(endpoint: str):
    """A boto3 client that knows nothing of the product, to check what really reached the server."""
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")


def unreachable_s3_client():
    """A client for a loopback port nobody listens on, failing fast: one attempt, short timeouts."""
    return boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        region_name="us-east-1",
        config=Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 1}),
    )


def files_under(folder: Path) -> list[str]:
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())


@pytest.fixture(params=["filesystem", "s3"])
def store(request, tmp_path: Path) -> Iterator[FilesystemObjectStore | S3ObjectStore]:
    if request.param == "filesystem":
        yield FilesystemObjectStore(tmp_path / "objects")
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        yield S3ObjectStore(bucket=unique_bucket(), endpoint_url=endpoint, create_bucket=True)


class Exploding:
    """A stream that fails after its first chunk, like an upload whose client goes away."""

    def __init__(self) -> None:
        self.calls = 0

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
        if self.calls > 1:
            raise ConnectionResetError("client went away")
        return b"partial" * 10


class Watched:
    """A stream that, half-way through the upload, records what a reader of the store sees."""

    def __init__(self, store: FilesystemObjectStore, key: str) -> None:
        self.store, self.key = store, key
        self.parts = [b"first half, ", b"second half"]
        self.seen: dict[str, object] = {}

    def read(self, size: int = -1) -> bytes:
        if len(self.parts) == 1:
            self.seen = {"exists": self.store.exists(self.key), "keys": self.store.list_keys("tenants/")}
        return self.parts.pop(0) if self.parts else b""


def test_round_trip(store) -> None:
    payload = bytes(range(256)) * 1000
    streamed = b"id,name\n" + b"".join(b"%d,lead %d\n" % (n, n) for n in range(200_000))  # > 1 MiB
    store.put("tenants/acme/blobs/one.bin", payload)
    store.put("tenants/acme/blobs/two.csv", io.BytesIO(streamed), content_type="text/csv")
    store.put("tenants/acme-eu/blobs/three.bin", b"3")

    assert store.get("tenants/acme/blobs/one.bin") == payload
    assert store.get("tenants/acme/blobs/two.csv") == streamed
    chunks = list(store.open("tenants/acme/blobs/one.bin", chunk_size=1000))
    assert len(chunks) == 256
    assert all(len(chunk) == 1000 for chunk in chunks)
    assert b"".join(chunks) == payload
    assert store.exists("tenants/acme/blobs/two.csv")
    assert not store.exists("tenants/acme/blobs/absent.bin")

    assert store.list_keys("tenants/acme/") == ["tenants/acme/blobs/one.bin", "tenants/acme/blobs/two.csv"]
    assert store.list_keys("tenants/acme/blobs/t") == ["tenants/acme/blobs/two.csv"]
    assert store.list_keys("tenants/acme") == [
        "tenants/acme-eu/blobs/three.bin",
        "tenants/acme/blobs/one.bin",
        "tenants/acme/blobs/two.csv",
    ]
    assert store.list_keys("tenants/nobody/") == []

    store.put("tenants/acme/blobs/two.csv", b"replaced")
    assert store.get("tenants/acme/blobs/two.csv") == b"replaced"

    store.delete("tenants/acme/blobs/one.bin")
    store.delete("tenants/acme/blobs/never-existed.bin")  # harmless
    assert not store.exists("tenants/acme/blobs/one.bin")
    assert store.list_keys("tenants/acme/") == ["tenants/acme/blobs/two.csv"]


def test_a_missing_object_is_a_404_on_get_and_open(store) -> None:
    store.put("tenants/acme/blobs/kept.bin", b"kept")
    for read in (store.get, store.open):
        with pytest.raises(ObjectNotFound) as error:
            read("tenants/acme/blobs/missing.bin")
        assert error.value.status_code == 404
    assert store.get("tenants/acme/blobs/kept.bin") == b"kept"


def test_large_objects_are_read_line_by_line_through_a_chunk_reader(store) -> None:
    lines = [f"{n},lead {n}\n" for n in range(5000)]
    data = "".join(lines).encode()
    store.put("tenants/acme/uploads/leads.csv", data)

    raw = ChunkReader(store.open("tenants/acme/uploads/leads.csv", chunk_size=4096))
    text = io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8", newline="")
    assert text.readline() == lines[0]
    assert raw.bytes_read < len(data)  # streamed, not loaded whole
    assert [lines[0], *text] == lines
    assert raw.bytes_read == len(data)


@pytest.mark.parametrize("key", UNSAFE_KEYS)
def test_unsafe_keys_are_refused(store, key: str) -> None:
    for call in (
        lambda: store.put(key, b"x"),
        lambda: store.get(key),
        lambda: store.open(key),
        lambda: store.exists(key),
        lambda: store.delete(key),
    ):
        with pytest.raises(ValueError, match="Invalid object key"):
            call()


def test_the_filesystem_store_never_writes_outside_its_root(tmp_path: Path) -> None:
    root, outside = tmp_path / "objects", tmp_path / "outside"
    outside.mkdir()
    store = FilesystemObjectStore(root)
    store.put("tenants/acme/ok.bin", b"ok")
    # A link inside the root that points elsewhere: the key is well-formed, the path it resolves to is not.
    (root / "tenants" / "linked").symlink_to(outside, target_is_directory=True)

    for key in [*UNSAFE_KEYS, "tenants/linked/escape.bin", "tenants/acme/../../outside/x"]:
        with pytest.raises(ValueError, match="Invalid object key"):
            store.put(key, b"escaped")

    assert files_under(outside) == []
    assert files_under(tmp_path) == ["objects/tenants/acme/ok.bin"]


def test_s3_objects_really_travel_through_the_s3_api(s3_endpoint: str) -> None:
    bucket = unique_bucket()
    store = S3ObjectStore(bucket=bucket, endpoint_url=s3_endpoint, create_bucket=True)
    store.put("tenants/x/a.csv", b"over http", content_type="text/csv")

    plain = plain_s3_client(s3_endpoint)
    stored = plain.get_object(Bucket=bucket, Key="tenants/x/a.csv")
    assert stored["Body"].read() == b"over http"
    assert stored["ContentType"] == "text/csv"

    plain.put_object(Bucket=bucket, Key="tenants/x/b.bin", Body=b"from outside")
    assert store.get("tenants/x/b.bin") == b"from outside"
    store.delete("tenants/x/a.csv")
    assert [item["Key"] for item in plain.list_objects_v2(Bucket=bucket)["Contents"]] == ["tenants/x/b.bin"]


@pytest.mark.parametrize("create_bucket", [False, True], ids=["bucket-assumed", "bucket-checked"])
def test_an_unreachable_s3_server_is_a_quick_clear_503(create_bucket: bool) -> None:
    store = S3ObjectStore(bucket="down", create_bucket=create_bucket, client=unreachable_s3_client())
    for call in (lambda: store.put("tenants/x/a", b"1"), lambda: store.get("tenants/x/a")):
        started = time.monotonic()
        with pytest.raises(StorageUnavailable) as error:
            call()
        assert time.monotonic() - started < 5
        assert error.value.status_code == 503
        assert error.value.message == "Object storage is unreachable."


def test_filesystem_writes_are_atomic(tmp_path: Path) -> None:
    store = FilesystemObjectStore(tmp_path)
    with pytest.raises(ConnectionResetError):
        store.put("tenants/acme/upload.bin", Exploding())
    assert not store.exists("tenants/acme/upload.bin")
    assert files_under(tmp_path) == []

    upload = Watched(store, "tenants/acme/upload.bin")
    store.put("tenants/acme/upload.bin", upload)
    assert upload.seen == {"exists": False, "keys": []}  # a half-written upload is invisible
    assert store.get("tenants/acme/upload.bin") == b"first half, second half"
    assert files_under(tmp_path) == ["tenants/acme/upload.bin"]

    # Replacing an object is all or nothing too: a failed upload keeps the previous version.
    with pytest.raises(ConnectionResetError):
        store.put("tenants/acme/upload.bin", Exploding())
    assert store.get("tenants/acme/upload.bin") == b"first half, second half"
    assert files_under(tmp_path) == ["tenants/acme/upload.bin"]


def test_tenant_keys_carry_the_schema_and_fail_closed_outside_a_tenant(alpha) -> None:
    with alpha.active():
        assert tenant_object_key("uploads", "abc.csv") == f"tenants/{alpha.schema}/uploads/abc.csv"
        with pytest.raises(ValueError, match="Invalid object key"):
            tenant_object_key("uploads", "..", "..", "beta", "x.csv")
    with pytest.raises(RuntimeError, match="inside a tenant"):
        tenant_object_key("uploads", "abc.csv")


def test_the_factory_builds_the_configured_filesystem_store_once(settings, tmp_path: Path) -> None:
    reset_object_store()
    try:
        settings.OBJECT_STORAGE = {**settings.OBJECT_STORAGE, "BACKEND": "filesystem", "ROOT": str(tmp_path / "conf")}
        store = get_object_store()
        assert isinstance(store, FilesystemObjectStore)
        assert get_object_store() is store
        store.put("tenants/acme/a.bin", b"here")
        assert (tmp_path / "conf" / "tenants" / "acme" / "a.bin").read_bytes() == b"here"
    finally:
        reset_object_store()


def test_the_factory_builds_the_configured_s3_store(s3_storage: dict[str, str], s3_endpoint: str) -> None:
    reset_object_store()
    try:
        store = get_object_store()
        assert isinstance(store, S3ObjectStore)
        key = f"tenants/acme/{uuid.uuid4().hex}.bin"
        store.put(key, b"configured")
        bucket = s3_storage["S3_BUCKET"]
        assert plain_s3_client(s3_endpoint).get_object(Bucket=bucket, Key=key)["Body"].read() == b"configured"
    finally:
        reset_object_store()


def test_the_factory_refuses_an_unknown_backend(settings) -> None:
    reset_object_store()
    try:
        settings.OBJECT_STORAGE = {**settings.OBJECT_STORAGE, "BACKEND": "ftp"}
        with pytest.raises(ImproperlyConfigured, match="use 'filesystem' or 's3'"):
            get_object_store()
    finally:
        reset_object_store()


def test_listing_never_reaches_outside_the_store(store, tmp_path: Path) -> None:
    (tmp_path / "neighbour.txt").write_bytes(b"not an object")
    store.put("tenants/acme/a.bin", b"a")
    assert store.list_keys("") == ["tenants/acme/a.bin"]
    assert store.list_keys("../") == []


def test_a_key_naming_a_folder_is_missing_not_an_os_error(store) -> None:
    store.put("tenants/acme/blobs/a.bin", b"a")
    for key in ("tenants/acme/blobs", "tenants/acme/blobs/a.bin/b"):
        assert not store.exists(key)
        with pytest.raises(ObjectNotFound):
            store.get(key)


@pytest.mark.parametrize("key", ["tenants/a/./b", "tenants/a/.", "tenants/a/.upload-x"])
def test_dot_segments_are_refused(store, key: str) -> None:
    with pytest.raises(ValueError, match="Invalid object key"):
        store.put(key, b"x")


def test_the_bucket_is_created_outside_us_east_1(s3_endpoint: str) -> None:
    store = S3ObjectStore(bucket=unique_bucket(), endpoint_url=s3_endpoint, region="eu-west-1", create_bucket=True)
    store.put("tenants/x/a.bin", b"eu")
    assert store.get("tenants/x/a.bin") == b"eu"


def test_deleting_a_key_that_names_a_folder_is_harmless(store) -> None:
    store.put("tenants/acme/blobs/a.bin", b"a")
    store.delete("tenants/acme/blobs")
    assert store.get("tenants/acme/blobs/a.bin") == b"a"


def test_a_bucket_another_process_created_meanwhile_is_used(s3_endpoint: str) -> None:
    store = S3ObjectStore(bucket=unique_bucket(), endpoint_url=s3_endpoint, region="eu-west-1", create_bucket=True)
    other = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-1")

    def another_process_wins_the_race(params: dict, **kwargs) -> None:
        other.create_bucket(Bucket=params["Bucket"], CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})

    store.client.meta.events.register("provide-client-params.s3.CreateBucket", another_process_wins_the_race)
    store.put("tenants/x/a.bin", b"raced")
    assert store.get("tenants/x/a.bin") == b"raced"
