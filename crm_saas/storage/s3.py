from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from crm_saas.storage.base import ObjectNotFound, StorageUnavailable, validate_key

_MISSING_CODES = {"404", "NoSuchKey", "NotFound"}


class S3ObjectStore:
    """Objects in one S3 bucket (AWS or any S3-compatible endpoint), through boto3.

    Credentials come from boto3's usual sources (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, an
    instance role, ...). Network and service failures surface as StorageUnavailable (HTTP 503).
    """

    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        create_bucket: bool = False,
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        self.client = client or boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30),
        )
        self._create_bucket = create_bucket
        self._bucket_checked = False

    def _ensure_bucket(self) -> None:
        if self._bucket_checked or not self._create_bucket:
            return
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in _MISSING_CODES:
                raise StorageUnavailable(f"Object storage error: {exc}") from exc
            self._create()
        except BotoCoreError as exc:
            raise StorageUnavailable("Object storage is unreachable.") from exc
        self._bucket_checked = True

    def _create(self) -> None:
        """Create the bucket; another process creating it at the same moment is just as good."""
        options: dict[str, Any] = {}
        region = self.client.meta.region_name
        if region and region != "us-east-1":  # S3 wants the region named everywhere but us-east-1
            options["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            self.client.create_bucket(Bucket=self.bucket, **options)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                raise StorageUnavailable(f"Object storage could not create the bucket ({code}).") from exc

    def _call(self, method: str, **kwargs: Any) -> Any:
        self._ensure_bucket()
        try:
            return getattr(self.client, method)(Bucket=self.bucket, **kwargs)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code"))
            if code in _MISSING_CODES:
                raise ObjectNotFound("Stored object not found.") from exc
            raise StorageUnavailable(f"Object storage refused the request ({code}).") from exc
        except BotoCoreError as exc:
            raise StorageUnavailable("Object storage is unreachable.") from exc

    def put(self, key: str, data: bytes | BinaryIO, *, content_type: str = "application/octet-stream") -> None:
        # Seekable files (uploads spooled to disk) are streamed, not read into memory first.
        seekable = not isinstance(data, bytes | bytearray) and getattr(data, "seekable", lambda: False)()
        body = data if isinstance(data, bytes | bytearray) or seekable else data.read()
        self._call("put_object", Key=validate_key(key), Body=body, ContentType=content_type)

    def get(self, key: str) -> bytes:
        return self._call("get_object", Key=validate_key(key))["Body"].read()

    def open(self, key: str, *, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
        body = self._call("get_object", Key=validate_key(key))["Body"]

        def chunks() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(chunk_size)
            except (BotoCoreError, ClientError) as exc:  # the connection dropped mid-read
                raise StorageUnavailable("Object storage stopped answering while reading.") from exc

        return chunks()

    def exists(self, key: str) -> bool:
        try:
            self._call("head_object", Key=validate_key(key))
        except ObjectNotFound:
            return False
        return True

    def delete(self, key: str) -> None:
        self._call("delete_object", Key=validate_key(key))

    def list_keys(self, prefix: str) -> list[str]:
        keys: list[str] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"Prefix": prefix}
            if token:
                kwargs["ContinuationToken"] = token
            page = self._call("list_objects_v2", **kwargs)
            keys.extend(item["Key"] for item in page.get("Contents", []))
            if not page.get("IsTruncated"):
                return sorted(keys)
            token = page["NextContinuationToken"]
