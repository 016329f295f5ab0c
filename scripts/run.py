"""Start crm_saas on this machine with whatever it has.

PostgreSQL: DATABASE_URL if set, else a server on 127.0.0.1:5432, else an embedded PostgreSQL 16
(the pgserver package) with its data in .data/pgdata. Redis: REDIS_URL if set, else 127.0.0.1:6379,
else background tasks run inside the web process (with a warning). Then: migrate, collect static
files, provision the demo workspace, start a Celery worker (with the beat scheduler) and gunicorn.
Ctrl-C stops everything, including an embedded database.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CRM_DATA_DIR", BASE_DIR / ".data"))
VENV_BIN = Path(sys.executable).parent
LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/crm_saas"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def warn(message: str) -> None:
    print(f"\n!!  {message}\n", file=sys.stderr, flush=True)


def postgres_reachable(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(_admin_url(url), connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


def _admin_url(url: str) -> str:
    """The same server, database 'postgres' (to create the product's database)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


def ensure_database(url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            say(f"Creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def start_embedded_postgres() -> tuple[object, str]:
    import pgserver

    pgdata = DATA_DIR / "pgdata"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    say(f"No PostgreSQL found: starting the embedded PostgreSQL 16 in {pgdata}")
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    uri = server.get_uri("crm_saas")  # postgresql://postgres:@/crm_saas?host=<socket dir>
    return server, uri


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([str(VENV_BIN / "python"), "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1"))
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    parser.add_argument(
        "--embedded-postgres",
        action="store_true",
        help="Use the embedded PostgreSQL even if a server is reachable (as on a machine without one).",
    )
    args = parser.parse_args()

    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "crm_saas.settings.base")
    env.setdefault("CRM_DATA_DIR", str(DATA_DIR))
    embedded = None

    if "DATABASE_URL" in env:
        if not postgres_reachable(env["DATABASE_URL"]):
            warn("DATABASE_URL is set but that PostgreSQL server does not answer.")
            return 1
        ensure_database(env["DATABASE_URL"])
    elif not args.embedded_postgres and postgres_reachable(LOCAL_POSTGRES):
        say("Using PostgreSQL on 127.0.0.1:5432")
        env["DATABASE_URL"] = LOCAL_POSTGRES
        ensure_database(LOCAL_POSTGRES)
    else:
        embedded, env["DATABASE_URL"] = start_embedded_postgres()
        embedded.psql(
            "SELECT 'CREATE DATABASE crm_saas' WHERE NOT EXISTS "
            "(SELECT FROM pg_database WHERE datname = 'crm_saas')\\gexec"
        )

    redis_url = env.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    if redis_reachable(redis_url):
        say(f"Using Redis at {redis_url}")
        env["REDIS_URL"] = redis_url
        tasks_in_process = False
    else:
        warn(
            "Redis is not reachable: background jobs (imports, training, transcription) will run\n"
            "    inside the web process, one at a time. Install Redis or set REDIS_URL for real workers."
        )
        env["CRM_TASKS_IN_PROCESS"] = "true"
        tasks_in_process = True

    children: list[subprocess.Popen] = []

    def shutdown(code: int) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        if embedded is not None:
            say("Stopping the embedded PostgreSQL")
            embedded.cleanup()
        sys.exit(code)

    signal.signal(signal.SIGTERM, lambda *_: shutdown(0))
    signal.signal(signal.SIGINT, lambda *_: shutdown(0))

    try:
        say("Migrating the shared schema and every tenant")
        manage("migrate_schemas", "--shared", "-v", "0", env=env)
        manage("migrate_schemas", "--tenant", "-v", "0", env=env)
        manage("collectstatic", "--noinput", "-v", "0", env=env)
        manage("provision_demo", "--port", str(args.port), env=env)

        if not tasks_in_process:
            say("Starting a Celery worker for the default, ml and voice queues (with the beat scheduler)")
            children.append(
                subprocess.Popen(
                    [
                        str(VENV_BIN / "celery"),
                        "-A",
                        "crm_saas",
                        "worker",
                        "--beat",
                        "--loglevel=INFO",
                        "--concurrency=2",
                        "-Q",
                        "default,ml,voice",  # one machine: this worker takes every queue
                        "--schedule",
                        str(DATA_DIR / "celerybeat-schedule"),
                    ],
                    cwd=BASE_DIR,
                    env=env,
                )
            )
        say(f"Starting the web server on http://{args.bind}:{args.port}/")
        children.append(
            subprocess.Popen(
                [
                    str(VENV_BIN / "gunicorn"),
                    "crm_saas.wsgi",
                    "--bind",
                    f"{args.bind}:{args.port}",
                    "--workers",
                    str(args.web_workers),
                    "--access-logfile",
                    "-",
                ],
                cwd=BASE_DIR,
                env=env,
            )
        )
        time.sleep(1.5)
        say("Ready. Open the demo workspace in a browser (credentials above). Ctrl-C stops everything.")
        while all(child.poll() is None for child in children):
            time.sleep(1)
        warn("A server process exited; stopping the others.")
    except subprocess.CalledProcessError as error:
        warn(f"Start-up step failed: {' '.join(map(str, error.cmd))}")
    shutdown(1)
    return 1


if __name__ == "__main__":
    sys.exit(main())
