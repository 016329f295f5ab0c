#!/usr/bin/env bash
# Run the product: install, migrate, provision the demo workspace, start web + worker.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh

# Voice notes and spoken commands need ffmpeg (audio decoding) and espeak-ng (spoken replies).
missing=()
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installing Debian packages for voice: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Warning: ${missing[*]} not installed; voice notes and spoken commands will answer" \
      "'not available' until they are (e.g. sudo apt-get install ${missing[*]})." >&2
  fi
fi

exec .venv/bin/python scripts/run.py "$@"
