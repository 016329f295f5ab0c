"""Plotly.js is served from the installed plotly package, in development and after collectstatic."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client, override_settings

from crm_saas.staticfinders import PLOTLY_STATIC_PATH, PlotlyFinder, plotly_package_data

pytestmark = pytest.mark.django_db

URL = f"/static/{PLOTLY_STATIC_PATH}"


def package_copy() -> bytes:
    location = plotly_package_data()
    assert location is not None, "the plotly package is not installed"
    return (location / "plotly.min.js").read_bytes()


def test_the_package_holds_the_real_library() -> None:
    library = package_copy()
    assert library.startswith(b"/**\n* plotly.js v")
    assert b"window.Plotly = Plotly" in library
    assert len(library) > 1_000_000


def test_the_finder_exposes_only_plotly_min_js() -> None:
    finder = PlotlyFinder()
    assert finder.check() == []
    assert [(path, storage.prefix) for path, storage in finder.list(None)] == [("plotly.min.js", "vendor/plotly")]
    assert Path(finders.find(PLOTLY_STATIC_PATH)).read_bytes() == package_copy()
    # The package's other files (datasets, templates, a widget bundle) stay private.
    assert finders.find("vendor/plotly/widgetbundle.js") is None
    assert finder.find("vendor/plotly/../plotly.min.js") == []
    assert list(finder.list(["*.js"])) == []


def test_the_web_server_serves_it_from_the_finder(alpha) -> None:
    # Development and the test server serve static files straight from the finders (whitenoise).
    response = Client(HTTP_HOST=alpha.host).get(URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(("text/javascript", "application/javascript"))
    assert b"".join(response.streaming_content) == package_copy()


def test_collectstatic_copies_and_compresses_it(tmp_path: Path) -> None:
    with override_settings(STATIC_ROOT=tmp_path):
        call_command("collectstatic", interactive=False, verbosity=0)
    collected = tmp_path / PLOTLY_STATIC_PATH
    assert collected.read_bytes() == package_copy()
    assert gzip.decompress((tmp_path / f"{PLOTLY_STATIC_PATH}.gz").read_bytes()) == package_copy()
    assert sorted(path.name for path in collected.parent.iterdir()) == ["plotly.min.js", "plotly.min.js.gz"]
    assert (tmp_path / "crm_saas" / "charts.js").is_file()
