from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from crm_saas.storage.base import ObjectNotFound, validate_key


class FilesystemObjectStore:
    """Objects as files under ``root``. Writes are atomic (temp file + rename)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / validate_key(key)).resolve()
        if self.root not in path.parents:
            raise ValueError(f"Invalid object key: {key!r}")
        return path

    def put(self, key: str, data: bytes | BinaryIO, *, content_type: str = "application/octet-stream") -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as tmp:
                if isinstance(data, bytes | bytearray):
                    tmp.write(data)
                else:
                    for chunk in iter(lambda: data.read(1024 * 1024), b""):
                        tmp.write(chunk)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise ObjectNotFound("Stored object not found.") from exc

    def open(self, key: str, *, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
        path = self._path(key)
        if not path.is_file():
            raise ObjectNotFound("Stored object not found.")

        def chunks() -> Iterator[bytes]:
            with path.open("rb") as handle:
                yield from iter(lambda: handle.read(chunk_size), b"")

        return chunks()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except (IsADirectoryError, NotADirectoryError, PermissionError):
            # Not an object (a folder of other objects), so there is nothing to delete, as on S3.
            if self._path(key).is_file():
                raise

    def list_keys(self, prefix: str) -> list[str]:
        """Keys starting with ``prefix`` (any string, as on S3); never anything outside the root."""
        folder_part = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        if any(part in {".", ".."} for part in folder_part.split("/")):
            return []
        folder = (self.root / folder_part).resolve()
        if (folder != self.root and self.root not in folder.parents) or not folder.is_dir():
            return []
        keys = []
        for path in folder.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    keys.append(key)
        return sorted(keys)
