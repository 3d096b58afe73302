# Every target creates .venv and installs the pinned dependencies when they are missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast bench lint soak run clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)  ## chat with the bot in the terminal: simulator, demo database, one user per role
	$(BIN)/sozialraum-bot demo

test: $(STAMP)  ## every tier (services, flows, reliability); PostgreSQL too when TEST_DATABASE_URL is set
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)  ## the services tier: domain rules and storage, no Telegram, SQLite only
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest -q tests/services

bench: $(STAMP)  ## benchmarks, printed as a table and written to bench/results/
	$(BIN)/python -m bench

soak: $(STAMP)  ## the reliability tests at full length; PostgreSQL too when TEST_DATABASE_URL is set
	RELIABILITY_SOAK=1 $(BIN)/python -m pytest -q -s tests/reliability/test_telegram_faults.py \
		tests/reliability/test_crashes.py tests/reliability/test_hostile_input.py tests/reliability/test_security.py

lint: $(STAMP)  ## ruff, mypy and the layer contracts (import-linter, see pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/mypy bot handlers storage
	$(BIN)/lint-imports

run: $(STAMP)  ## run the bot with the settings from the environment / .env
	$(BIN)/sozialraum-bot run

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache data/demo.db*
