"""Session-wide fixtures: the test database with two tenants, and real helper processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from crm_saas.storage import reset_object_store
from crm_saas.testing.processes import (
    ManagedProcess,
    child_database_url,
    child_env,
    free_port,
    http_ok,
    venv_bin,
    wait_until,
)
from crm_saas.testing.world import TenantWorld, world_build

ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"
S3_TEST_ENV = {"OBJECT_STORAGE_BACKEND": "s3", "S3_BUCKET": "crm-test", "S3_CREATE_BUCKET": "true"}


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker) -> Iterator[dict[str, TenantWorld]]:
    """A fresh, migrated test database plus two committed tenants, alpha and beta.

    Built explicitly (not only for tests marked django_db) because tests that drive real worker
    and web processes use committed data outside any test transaction.
    """
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        db_config = setup_databases(verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set())
        if not connection.settings_dict["NAME"].startswith("test_"):
            raise RuntimeError("Refusing to build test tenants outside a test database.")
        worlds = {name: world_build(name) for name in ("alpha", "beta")}
    yield worlds
    with django_db_blocker.unblock():
        # Child processes (web server, worker) have exited, but PostgreSQL may not have reaped their
        # sessions yet; those sessions are ours and would block dropping the test database.
        name = connection.settings_dict["NAME"]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
        connection.close()
        teardown_databases(db_config, verbosity=0)


@pytest.fixture
def alpha(django_db_setup, db) -> TenantWorld:
    return django_db_setup["alpha"]


@pytest.fixture
def beta(django_db_setup, db) -> TenantWorld:
    """The other tenant: its users must never see or touch alpha's data."""
    return django_db_setup["beta"]


@pytest.fixture(autouse=True)
def _clean_state(settings, tmp_path: Path) -> Iterator[None]:
    """Each test starts with an empty cache and its own object store folder (objects, unlike rows,
    are not rolled back with the test's transaction)."""
    cache.clear()
    settings.OBJECT_STORAGE = {**settings.OBJECT_STORAGE, "BACKEND": "filesystem", "ROOT": str(tmp_path / "objects")}
    reset_object_store()
    yield
    reset_object_store()
    connection.set_schema_to_public()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, s3_endpoint: str, artifacts_dir: Path) -> Iterator[ManagedProcess]:
    """A real Celery worker on the test database, the test Redis broker and the local S3 server.

    Tests that queue work for it store objects on the same S3 server (the ``s3_storage`` fixture).
    """
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    worker = ManagedProcess(
        [
            venv_bin("celery"),
            "-A",
            "crm_saas",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            ",".join(settings.CRM_CELERY_QUEUES),
        ],
        env=child_env(DATABASE_URL=child_database_url(), **S3_TEST_ENV, S3_ENDPOINT_URL=s3_endpoint),
        log_path=artifacts_dir / "celery-worker.log",
    )
    try:
        wait_until(lambda: "ready." in worker.log(), timeout=60, what="Celery worker")
        yield worker
    finally:
        worker.stop()


@pytest.fixture(scope="session")
def s3_endpoint(artifacts_dir: Path) -> Iterator[str]:
    """A local S3 API server (moto) on a free loopback port."""
    port = free_port()
    server = ManagedProcess(
        [venv_bin("moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        env=child_env(),
        log_path=artifacts_dir / "s3-server.log",
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: http_ok(f"{endpoint}/moto-api/"), timeout=30, what="S3 API server")
        yield endpoint
    finally:
        server.stop()


@pytest.fixture
def s3_storage(s3_endpoint: str, settings) -> Iterator[dict[str, str]]:
    """Point the product's object storage at the local S3 server for one test."""
    settings.OBJECT_STORAGE = {
        **settings.OBJECT_STORAGE,
        "BACKEND": "s3",
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_BUCKET": S3_TEST_ENV["S3_BUCKET"],
        "S3_CREATE_BUCKET": True,
    }
    reset_object_store()
    yield {**S3_TEST_ENV, "S3_ENDPOINT_URL": s3_endpoint}
    reset_object_store()


@pytest.fixture(scope="session")
def web_server(django_db_setup, s3_endpoint: str, artifacts_dir: Path) -> Iterator[str]:
    """The product served by gunicorn on a free loopback port, on the test database and the same
    object storage as the test worker; returns the port."""
    port = free_port()
    server = ManagedProcess(
        [venv_bin("gunicorn"), "crm_saas.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=child_env(DATABASE_URL=child_database_url(), **S3_TEST_ENV, S3_ENDPOINT_URL=s3_endpoint),
        log_path=artifacts_dir / "web-server.log",
    )
    try:
        wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/healthz", host="localhost"), timeout=30, what="web server")
        yield str(port)
    finally:
        server.stop()
