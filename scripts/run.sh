#!/usr/bin/env bash
# Run the product: install, migrate, provision the demo workspace, start web + worker.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/python scripts/run.py "$@"
