"""What every benchmark needs: a throwaway database and Django configured to use it."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))


def recreate_database(url: str, *, drop_only: bool = False) -> None:
    """Drop the database named in ``url`` (forcefully) and, unless ``drop_only``, create it empty."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = sql.Identifier(parts.path.lstrip("/"))
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def django_setup(*, database_url: str, data_dir: Path) -> None:
    """Point the product at the bench database (development settings, tasks in-process)."""
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "crm_saas.settings.base",
            "CRM_ENV": "development",
            "CRM_TASKS_IN_PROCESS": "true",
            "CRM_DATA_DIR": str(data_dir),
            "OBJECT_STORAGE_ROOT": str(data_dir / "objects"),
        }
    )
    import django

    django.setup()
