# gensample: `make run` generates a demo corpus, `make test` runs the whole suite.
# Both start from nothing but python3: they create .venv and install what they need.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := demo

.PHONY: run test lint bench bench-days clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	test -f $(DEMO)/gensample.toml || $(BIN)/gensample init $(DEMO)
	$(BIN)/gensample run --dir $(DEMO) --timings

test: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check gensample tests

bench: $(VENV)/.test-installed
	$(BIN)/python bench/bench_run.py
	$(BIN)/python bench/bench_load.py

bench-days: $(VENV)/.test-installed
	$(BIN)/python bench/bench_days.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .ruff_cache .hypothesis
