.PHONY: setup run test lint format
# `make run` installs what is missing and starts the whole site on one machine.
run:
	bash scripts/run.sh

setup:
	bash scripts/setup.sh

# `make test` runs lint and the whole suite (needs `make setup` once).
test: setup
	bash scripts/test.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .
