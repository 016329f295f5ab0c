"""Export bundles: a ZIP of JSON records (Django's fixture format, one file per model), the
decrypted files, and ``manifest.json`` listing everything with counts and checksums."""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from typing import Any

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet

MANIFEST = "manifest.json"
_SPOOL_BYTES = 32 * 1024 * 1024  # held in memory up to this size, then on a temporary disk file


class BundleWriter:
    """Writes a bundle; ``close()`` returns its bytes."""

    def __init__(self, *, format_name: str, about: dict[str, Any]) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 - closed in close()
        self._zip = zipfile.ZipFile(self._file, "w", compression=zipfile.ZIP_DEFLATED)
        self.manifest: dict[str, Any] = {"format": format_name, **about, "records": [], "files": []}

    def add_records(
        self, *, label: str, queryset: QuerySet, provider: str = "", skip_fields: set[str] = frozenset()
    ) -> int:
        """All rows of ``queryset`` as ``records/<label>.json``; returns how many."""
        rows = json.loads(serializers.serialize("json", queryset.order_by("pk")))
        for row in rows:
            for name in skip_fields:
                row["fields"].pop(name, None)
        name = f"records/{label}.json"
        data = json.dumps(rows, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder).encode()
        self._zip.writestr(name, data)
        self.manifest["records"].append(
            {"model": label, "provider": provider, "file": name, "count": len(rows), "sha256": _sha(data)}
        )
        return len(rows)

    def add_file(self, *, name: str, data: bytes, **about: Any) -> None:
        # Audio is already compressed; deflating it again only costs time.
        self._zip.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_STORED)
        self.manifest["files"].append({"file": name, "size": len(data), "sha256": _sha(data), **about})

    def close(self) -> bytes:
        self._zip.writestr(MANIFEST, json.dumps(self.manifest, indent=2, cls=DjangoJSONEncoder))
        self._zip.close()
        self._file.seek(0)
        data = self._file.read()
        self._file.close()
        return data


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
