# Lederdialog: `make run` starts it, `make test` proves it. `make help` lists the rest.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SUB ?= hr-1
ROLE ?= hr_admin
WEB := services/web
DKFDS_VERSION ?= 11.2.0
LOCK_OPTIONS := --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	--no-emit-find-links

.DEFAULT_GOAL := help
.PHONY: help install lock run demo test test-fast lint bench token vendor-dkfds translations clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed ## Create the virtual environment and install everything (pinned)

lock: install ## Pin requirements.in and requirements-dev.in, with hashes (needs the package index)
	CUSTOM_COMPILE_COMMAND="make lock" $(PY) -m piptools compile $(LOCK_OPTIONS) \
		--output-file requirements.txt requirements.in
	CUSTOM_COMPILE_COMMAND="make lock" $(PY) -m piptools compile $(LOCK_OPTIONS) \
		--output-file requirements-dev.txt requirements-dev.in

run: install ## Start the whole system on embedded defaults (Ctrl-C stops it)
	$(PY) -m scripts.run

demo: install ## Like make run, and load a demo organisation with dialogues
	$(PY) -m scripts.run --demo

test: install ## Lint, then run the whole suite (TEST_DATABASE_URL adds PostgreSQL)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

test-fast: install ## Lint, then the fast tests (no browser, no started processes, no fuzzing)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -m "not slow"

bench: install ## Run the benchmarks (needs wrk and a local PostgreSQL)
	$(PY) bench/content.py
	$(PY) bench/assessment.py
	$(PY) bench/insights.py
	$(PY) bench/notify.py
	$(PY) bench/web.py
	$(PY) bench/org_import.py
	$(PY) bench/hr_import.py
	$(PY) bench/e2e.py
	$(PY) bench/load.py

token: install ## Mint a development token: make token SUB=hr-1 ROLE=hr_admin (several: ROLE=leader,trio)
	@$(PY) -m shared.mint_token --sub '$(SUB)' --role '$(or $(ROLES),$(ROLE))'

vendor-dkfds: ## Refresh the vendored design system (DKFDS_VERSION=11.2.0)
	scripts/vendor_dkfds.sh $(DKFDS_VERSION)

translations: install ## Extract the pages' texts, update the Danish catalog (then translate), compile it
	$(VENV)/bin/pybabel extract -F $(WEB)/babel.cfg -k _l --no-location --sort-output \
		-o $(WEB)/translations/messages.pot $(WEB)
	$(VENV)/bin/pybabel update -i $(WEB)/translations/messages.pot -d $(WEB)/translations \
		--ignore-obsolete --no-fuzzy-matching --width 100
	$(VENV)/bin/pybabel compile -d $(WEB)/translations

clean: ## Remove the virtual environment and local data (var/)
	rm -rf $(VENV) var
