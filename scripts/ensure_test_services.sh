#!/usr/bin/env bash
# Make sure the services the tests talk to are installed and running on this machine:
# PostgreSQL and Redis on 127.0.0.1, plus Chromium, ffmpeg, espeak-ng and sox for the browser and
# audio tests. Installs Debian packages with apt-get when running as root; otherwise says what is
# missing. The local S3 API server (moto) and the Celery worker are started by the tests.
set -euo pipefail

need_packages=()
command -v chromium >/dev/null 2>&1 || need_packages+=(chromium)
command -v ffmpeg >/dev/null 2>&1 || need_packages+=(ffmpeg)
command -v espeak-ng >/dev/null 2>&1 || need_packages+=(espeak-ng)
command -v sox >/dev/null 2>&1 || need_packages+=(sox)
command -v pg_ctlcluster >/dev/null 2>&1 || command -v pg_isready >/dev/null 2>&1 || need_packages+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need_packages+=(redis-server)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_packages+=(fonts-dejavu-core)

if [ "${#need_packages[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installing Debian packages: ${need_packages[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null
  else
    echo "Missing system packages: ${need_packages[*]} (install them, e.g. with apt-get)." >&2
    exit 1
  fi
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "==> Starting PostgreSQL"
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  # Tests connect as postgres over TCP without a password, as on the CI machines.
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "==> Starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/crm-tests.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis is not reachable on 127.0.0.1:6379" >&2; exit 1; }
