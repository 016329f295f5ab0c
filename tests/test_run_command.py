"""The run command on a machine with neither PostgreSQL nor Redis: embedded PostgreSQL, tasks in
the web process, a provisioned demo workspace that one can sign in to, and a clean shutdown."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from crm_saas.testing.processes import child_env, free_port, wait_until

BASE_DIR = Path(__file__).resolve().parents[1]


def http_json(url: str, *, host: str, data: dict | None = None, token: str | None = None) -> dict:
    """JSON over HTTP to 127.0.0.1 with the given Host header (tenant host names need no DNS)."""
    headers = {"Content-Type": "application/json", "Host": host}
    if token:
        headers["Authorization"] = f"Token {token}"
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 - loopback only
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def test_run_command_works_on_a_bare_machine(tmp_path: Path) -> None:
    port = free_port()
    log_path = tmp_path / "run.log"
    env = child_env(CRM_DATA_DIR=str(tmp_path / "data"), REDIS_URL="redis://127.0.0.1:1/0")
    for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "CRM_ENV", "CACHE_URL", "OBJECT_STORAGE_ROOT"):
        env.pop(name, None)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "scripts/run.py", "--embedded-postgres", "--port", str(port), "--web-workers", "1"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(lambda: "==> Ready." in log_path.read_text(), timeout=180, what="run command")
            output = log_path.read_text()
            assert "starting the embedded PostgreSQL 16" in output
            assert "Redis is not reachable" in output
            credentials = json.loads((tmp_path / "data" / "demo-credentials.json").read_text())
            assert credentials["admin_password"] in output  # printed for the person starting it

            base, host = f"http://127.0.0.1:{port}", f"demo.localhost:{port}"
            token = http_json(
                f"{base}/api/v1/auth/token/",
                host=host,
                data={"email": credentials["rep_email"], "password": credentials["rep_password"]},
            )["token"]
            me = http_json(f"{base}/api/v1/me/", host=host, token=token)
            assert me["role"] == "sales_rep"
            assert me["tenant"]["schema_name"] == "demo"
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
    assert "Stopping the embedded PostgreSQL" in log_path.read_text()
    postmaster = tmp_path / "data" / "pgdata" / "postmaster.pid"
    deadline = time.monotonic() + 10
    while postmaster.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not postmaster.exists(), "the embedded PostgreSQL is still running"
