#!/usr/bin/env bash
# Run the test suite on a fresh machine: install what the tests need, start what is not running,
# then pytest. Extra arguments go to pytest (e.g. scripts/test.sh -k isolation).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh dev
scripts/ensure_test_services.sh

echo "==> ruff (lint and format check)"
.venv/bin/ruff check --quiet .
.venv/bin/ruff format --check --quiet .

export DJANGO_SETTINGS_MODULE=crm_saas.settings.test
status=0
.venv/bin/pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: treating that as a failure." >&2
fi
exit "$status"
