.PHONY: run test lint bench

# Install, migrate, provision the demo workspace and start web + worker.
run:
	scripts/run.sh

# Install test dependencies, start PostgreSQL/Redis if needed, run the whole suite.
test:
	scripts/test.sh

lint:
	scripts/bootstrap.sh dev
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

bench:
	scripts/bootstrap.sh dev
	.venv/bin/python bench/tenant_provisioning.py
	.venv/bin/python bench/lead_import.py
	.venv/bin/python bench/lead_scoring.py
	.venv/bin/python bench/lead_priority.py
	.venv/bin/python bench/voice_commands.py
	.venv/bin/python bench/fuzz_api.py
