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
	.venv/bin/python bench/run_all.py
