"""Uploaded CSV files in object storage: storing, reading (encoding and delimiter sniffing),
header and sample, and purging uploads abandoned at a preview."""

from __future__ import annotations

import csv
import io
import itertools
import secrets
import time
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.core.files.uploadedfile import UploadedFile

from crm_saas.errors import DomainError
from crm_saas.jobs.models import Job, JobStatus
from crm_saas.storage import ChunkReader, get_object_store, tenant_object_key

UPLOAD_LIFETIME = timedelta(days=1)  # an upload not imported by then was abandoned at the preview
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
SAMPLE_ROWS = 2000
MAX_COLUMNS = 500
_DELIMITERS = ",;\t|"


def _encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) when the first bytes decode as such, else Windows-1252."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if error.start < len(head) - 3:
            return "cp1252"
    return "utf-8-sig"


def _has_text(head: bytes) -> bool:
    """Whether the first bytes hold any character but blanks, a byte order mark and the stand-ins
    for undecodable bytes."""
    text = head.decode(_encoding(head), errors="replace")
    return any(not (char.isspace() or char in "\ufeff\ufffd") for char in text)


def csv_rows(key: str) -> tuple[Iterator[list[str]], ChunkReader]:
    """The stored file's rows, streamed, and the reader (its ``bytes_read`` measures progress)."""
    store = get_object_store()
    head = b"".join(itertools.islice(store.open(key, chunk_size=64 * 1024), 1))
    raw = ChunkReader(store.open(key, chunk_size=256 * 1024))
    encoding = _encoding(head)
    text = io.TextIOWrapper(io.BufferedReader(raw), encoding=encoding, errors="replace", newline="")
    lines = head.decode(encoding, errors="replace").splitlines()
    first_line = lines[0] if lines else ""
    delimiter = max(_DELIMITERS, key=first_line.count) if first_line else ","
    return csv.reader(text, delimiter=delimiter), raw


def header_and_sample(key: str) -> tuple[list[str], list[list[str]]]:
    rows, _ = csv_rows(key)
    try:
        header = next(rows, None)
        if not header or not any(cell.strip() for cell in header):
            raise DomainError("The file has no header row.", field="file")
        if len(header) > MAX_COLUMNS:
            raise DomainError(f"The file has more than {MAX_COLUMNS} columns.", field="file")
        names = [cell.strip() for cell in header]
        duplicates = sorted({name for name in names if name and names.count(name) > 1})
        if duplicates:
            raise DomainError(f"Column names appear twice: {', '.join(duplicates)}.", field="file")
        return names, list(itertools.islice(rows, SAMPLE_ROWS))
    except csv.Error as error:
        raise DomainError(f"The file is not a readable CSV: {error}.", field="file") from error


def upload_store(*, upload: UploadedFile, uploads: tuple[str, ...]) -> tuple[str, int]:
    """Check and keep the upload under the tenant's ``uploads`` folder; returns (key, size)."""
    if not upload.size:
        raise DomainError("The file is empty.", field="file")
    if upload.size > MAX_UPLOAD_BYTES:
        raise DomainError(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.", field="file")
    head = upload.read(4096)
    upload.seek(0)
    if b"\x00" in head or not _has_text(head):
        raise DomainError("The file is not a CSV text file.", field="file")
    key = tenant_object_key(*uploads, f"{upload_token()}.csv")
    get_object_store().put(key, upload, content_type="text/csv")
    return key, upload.size


def upload_token() -> str:
    """32 hex digits whose first 12 are the upload time in milliseconds (as in a UUIDv7), so stale
    uploads are recognised by their key alone; the other 20 are random."""
    return f"{int(time.time() * 1000):012x}{secrets.token_hex(10)}"


def uploads_purge(
    *, uploads: tuple[str, ...], job_kinds: Iterable[str], older_than: timedelta = UPLOAD_LIFETIME
) -> int:
    """Delete uploads that were previewed but never imported (a running or queued import still
    owns its file). Uploads from before time-ordered tokens whose random prefix reads as a date in
    the last year may be taken for stale ones: they are uploads no import has claimed either."""
    store = get_object_store()
    claimed = set(
        Job.objects.filter(kind__in=list(job_kinds), status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).values_list(
            "params__object_key", flat=True
        )
    )
    now = time.time()
    deleted = 0
    for key in store.list_keys(tenant_object_key(*uploads) + "/"):
        token = key.rsplit("/", 1)[-1].removesuffix(".csv")
        if len(token) != 32 or key in claimed:
            continue
        try:
            uploaded = int(token[:12], 16) / 1000
        except ValueError:
            continue
        if now - 365 * 86400 < uploaded < now - older_than.total_seconds():
            store.delete(key)
            deleted += 1
    return deleted
