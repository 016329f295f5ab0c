"""Private services for fault-injection tests: a Redis server and a PostgreSQL server on free
loopback ports, started and stopped by the test itself (the machine's own services are never
touched), plus the product's worker and web server wired to them."""

from __future__ import annotations

import glob
import json
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

from crm_saas.testing.processes import ManagedProcess, child_env, free_port, venv_bin, wait_until


class PrivateRedis:
    """A throwaway redis-server (no persistence) that can be stopped and started on the same port."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.log_dir = log_dir
        self.process: ManagedProcess | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = ManagedProcess(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            env=child_env(),
            log_path=self.log_dir / f"redis-{self.port}.log",
        )
        wait_until(lambda: "Ready to accept connections" in self.process.log(), timeout=10, what="Redis")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (initdb into a temp dir, run as the postgres system user)."""

    def __init__(self, log_dir: Path) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bins:
            raise RuntimeError("No PostgreSQL server binaries under /usr/lib/postgresql.")
        self.bin = Path(bins[-1])
        self.port = free_port()
        self.data = Path(tempfile.mkdtemp(prefix="crm-pg-"))
        self.artifact = log_dir / f"postgres-{self.port}.log"
        self.log_path = self.data.parent / f"{self.data.name}.log"  # the server's user must write it
        shutil.chown(self.data, user="postgres", group="postgres")
        self.log_path.touch()
        shutil.chown(self.log_path, user="postgres", group="postgres")
        self._as_postgres(
            [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        )
        self.start()

    def _as_postgres(self, args: list[str]) -> None:
        runner = ["runuser", "-u", "postgres", "--"] if shutil.which("runuser") else []
        subprocess.run([*runner, *args], check=True, capture_output=True, cwd=self.data)

    def _ctl(self, *args: str) -> None:
        self._as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log_path), "-w", *args])

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c fsync=off"
        self._ctl("-o", options, "start")

    def restart(self) -> None:
        self._ctl("-m", "fast", "stop")
        self.start()

    def stop(self) -> None:
        try:
            self._ctl("-m", "immediate", "stop")
        finally:
            shutil.copyfile(self.log_path, self.artifact)
            self.log_path.unlink(missing_ok=True)
            shutil.rmtree(self.data, ignore_errors=True)

    def load_copy_of(self, source_url: str, database: str) -> str:
        """Create ``database`` here as a copy of the database at ``source_url``; returns its URL."""
        self._as_postgres([str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), database])
        dump = subprocess.run([str(self.bin / "pg_dump"), "-Fc", source_url], check=True, capture_output=True)
        subprocess.run(
            [str(self.bin / "pg_restore"), "--no-owner", "-d", self.url(database)],
            input=dump.stdout,
            check=True,
            capture_output=True,
        )
        return self.url(database)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


def start_worker(*, log_path: Path, **env: str) -> ManagedProcess:
    """A solo-pool Celery worker on the broker and database named in ``env``."""
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
            ",".join(settings.CRM_CELERY_QUEUES),  # every queue the product routes to
        ],
        env=child_env(**env),
        log_path=log_path,
    )
    wait_until(lambda: "ready." in worker.log(), timeout=60, what="Celery worker")
    return worker


def start_web(*, log_path: Path, workers: int = 2, **env: str) -> tuple[ManagedProcess, int]:
    port = free_port()
    server = ManagedProcess(
        [venv_bin("gunicorn"), "crm_saas.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        env=child_env(**env),
        log_path=log_path,
    )
    wait_until(lambda: http(port, "GET", "/healthz", host="localhost")[0] < 500, timeout=30, what="web server")
    return server, port


def http(
    port: int,
    method: str,
    path: str,
    *,
    host: str,
    token: str | None = None,
    body: bytes | None = None,
    content_type: str | None = None,
    timeout: float = 10,
) -> tuple[int, dict]:
    """One request to a loopback server; returns the status and the JSON body ({} if none)."""
    headers = {"Host": host}
    if token:
        headers["Authorization"] = f"Token {token}"
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback only
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw) if raw else {}
    except ValueError:
        return status, {"raw": raw.decode(errors="replace")}


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body and its content type."""
    boundary = "crmfaultboundary7f3a"
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data, media_type) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {media_type}\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
