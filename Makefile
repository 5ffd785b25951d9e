# Aduan: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
API_PORT ?= 8000
AWS_PORT ?= 5000
export TZ := UTC

.PHONY: run test lint unit integration e2e package bench clean

# --no-compile: Python compiles a module when it is first imported; compiling all of moto, botocore and
# the rest up front took ~10 s of a fresh `make test`.
$(STAMP): requirements.txt requirements-geometry.txt requirements-dev.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip<26.2"
	$(BIN)/python -m pip install --quiet --no-compile -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-compile --no-deps -e .  # the aduan-admin command
	@touch $(STAMP)

run: $(STAMP)  ## start moto + chalice local with demo data; Ctrl-C stops everything
	$(BIN)/python -m devstack.run --api-port $(API_PORT) --aws-port $(AWS_PORT)

# worksteal: each worker starts with half the tests, in order (so the end-to-end tests mostly share one local
# stack and the packaging tests one package), and takes tests from the other when it runs out.
test: $(STAMP) lint  ## the whole suite
	$(BIN)/python -m pytest -n auto --dist worksteal --durations=10

lint: $(STAMP)
	$(BIN)/python -m ruff check .

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration

e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e

package: $(STAMP)  ## the deployable CloudFormation template and zips, in build/package
	$(BIN)/python -m devstack.package build/package

bench: $(STAMP)
	$(BIN)/python bench/cold_start.py
	-$(BIN)/python bench/first_response.py
	$(BIN)/python bench/aws_calls.py
	$(BIN)/python bench/package_size.py
	$(BIN)/python bench/lifecycle.py
	$(BIN)/python bench/stats_reads.py
	$(BIN)/python bench/export_rows.py
	$(BIN)/python bench/open311_reads.py
	$(BIN)/python bench/cost.py

clean:
	rm -rf $(VENV) build .local .pytest_cache .ruff_cache
