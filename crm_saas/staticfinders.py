"""Static files that come from installed Python packages rather than from our source folders.

Plotly.js ships inside the ``plotly`` package (``plotly/package_data/plotly.min.js``), pinned in
requirements.txt; serving that copy keeps pages free of CDNs and keeps the browser library in step
with the pinned package, without a second, vendored copy in the repository.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import utils
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage

PLOTLY_PREFIX = "vendor/plotly"
PLOTLY_FILE = "plotly.min.js"
PLOTLY_STATIC_PATH = f"{PLOTLY_PREFIX}/{PLOTLY_FILE}"


def plotly_package_data() -> Path | None:
    """The installed plotly package's ``package_data`` folder, or None when plotly is missing.

    ``find_spec`` locates the package without importing it, so web processes do not pay for
    importing plotly's Python side just to serve its JavaScript.
    """
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "package_data"


class PlotlyFinder(BaseFinder):
    """Exposes exactly one file, ``vendor/plotly/plotly.min.js``, from the installed plotly package.

    The package folder also holds datasets, templates and a widget bundle; listing only the one
    file keeps those out of STATIC_ROOT and off the web.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.location = plotly_package_data()
        self.storage: FileSystemStorage | None = None
        if self.location is not None:
            self.storage = FileSystemStorage(location=self.location)
            # collectstatic and whitenoise both put a storage's files under its ``prefix``.
            self.storage.prefix = PLOTLY_PREFIX

    def _path(self) -> Path | None:
        if self.location is None:
            return None
        path = self.location / PLOTLY_FILE
        return path if path.is_file() else None

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        if self._path() is None:
            return [
                Error(
                    f"{PLOTLY_FILE} was not found in the installed plotly package; charts cannot load.",
                    hint="Install requirements.txt (the plotly package ships plotly.min.js).",
                    obj=self.__class__.__qualname__,
                    id="crm_saas.E001",
                )
            ]
        return []

    # RemovedInDjango61Warning: the ``**kwargs`` (the deprecated ``all``) goes with Django 6.1.
    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:
        if kwargs:
            find_all = self._check_deprecated_find_param(find_all=find_all, **kwargs)
        found = self._path() if path == PLOTLY_STATIC_PATH else None
        if found is None:
            return []  # Django's own finders answer an empty list for "not here", whatever find_all says
        return [str(found)] if find_all else str(found)

    def list(self, ignore_patterns: list[str] | None) -> Iterator[tuple[str, FileSystemStorage]]:
        if self.storage is None or self._path() is None:
            return
        if ignore_patterns and utils.matches_patterns(PLOTLY_FILE, ignore_patterns):
            return
        yield PLOTLY_FILE, self.storage
