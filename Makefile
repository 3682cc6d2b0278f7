# The two commands that matter: `make demo` runs the main job end to end, `make test` the suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
RUN_DIR ?= .run/dev
# Each make test gets its own run dir (own ports, own data), so two can run side by side.
TEST_RUN_DIR ?= .run/test-$(shell date +%s)-$$$$
STACK := $(PY) deploy/local/stack.py

.PHONY: install lock up down clean status demo test unit lint fuzz bench bench-coding chaos

# Every dependency comes pinned from the lock files; the project itself is installed without resolving again.
$(VENV)/.installed: pyproject.toml requirements.lock requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.lock
	$(PY) -m pip install -q --no-deps -e ".[dev]"
	touch $@

LOCK_VENV := .run/cache/lock-venv
lock:  ## re-resolve pyproject.toml into requirements.lock (runtime) and requirements-dev.lock, in a clean venv
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install -q --upgrade pip && $(LOCK_VENV)/bin/pip install -q .
	{ sed -n '1,2p' requirements.lock; $(LOCK_VENV)/bin/pip freeze --all --exclude-editable | grep -viE '^(pip|claimline)==' \
	  | tr 'A-Z_' 'a-z-' | sort; } > requirements.lock.new && mv requirements.lock.new requirements.lock
	$(LOCK_VENV)/bin/pip install -q ".[dev]"
	{ sed -n '1,2p' requirements-dev.lock; $(LOCK_VENV)/bin/pip freeze --all --exclude-editable | grep -viE '^(pip|claimline)==' \
	  | tr 'A-Z_' 'a-z-' | sort | comm -13 <(grep '==' requirements.lock) -; } > requirements-dev.lock.new
	mv requirements-dev.lock.new requirements-dev.lock && rm -rf $(LOCK_VENV)

install: $(VENV)/.installed

up: install  ## start Kafka, PostgreSQL, the five services and the clearinghouse simulator
	$(STACK) up --run-dir $(RUN_DIR)

down:  ## stop everything, keeping data
	@if [ -x $(PY) ]; then $(STACK) down --run-dir $(RUN_DIR); fi

clean:  ## stop everything and wipe the run directory
	@if [ -x $(PY) ]; then $(STACK) clean --run-dir $(RUN_DIR); for d in .run/test*; do [ -d "$$d" ] && $(STACK) clean --run-dir "$$d"; done; fi
	rm -rf .run

status:
	$(STACK) status --run-dir $(RUN_DIR)

demo: up  ## post the sample encounters and follow every claim to its end state
	set -a && source $(RUN_DIR)/stack.env && set +a && $(PY) deploy/demo/run_demo.py

test: install  ## start a fresh test stack, run the whole suite, stop the stack
	bash deploy/local/run_tests.sh $(TEST_RUN_DIR)

# The fault suite on its own fresh stack; CHAOS_CLAIMS=100000 is the long variant.
CHAOS_CLAIMS ?= 10000
CHAOS_FUZZ_SECONDS ?= 60
chaos: install  ## N claims while services are SIGKILLed, Kafka and PostgreSQL restart, webhooks repeat, poisons land; then fuzzing
	$(PY) -m tools.chaos --claims $(CHAOS_CLAIMS) --run-dir .run/chaos-$(shell date +%s)-$$$$
	$(MAKE) fuzz FUZZ_SECONDS=$(CHAOS_FUZZ_SECONDS)

unit: install  ## pure domain tests only (no stack)
	$(PY) -m pytest tests/unit -q

lint: install
	$(PY) -m ruff check shared services tools tests deploy bench

FUZZ_SECONDS ?= 300
fuzz: install  ## atheris on each X12 reader (835, 999, 277CA, 837P) for FUZZ_SECONDS each; crashes land in artifacts/fuzz
	for target in 835 999 277ca 837p; do $(PY) -m tests.fuzz.run $$target --seconds $(FUZZ_SECONDS) || exit 1; done

BENCH_RUN_DIR ?= .run/bench-$(shell date +%s)
bench: install  ## benchmarks on fresh stacks of their own, one table (BENCH_SECONDS, BENCH_RATE, ...: see bench/run.py)
	$(PY) -m bench.run --run-dir $(BENCH_RUN_DIR)

bench-coding: install  ## coding accuracy: ICD-10-CM precision/recall and E/M agreement on the labelled notes
	$(PY) bench/coding/run.py
