# gensample: `make run` generates a demo corpus, `make test` runs the whole suite.
# Both start from nothing but python3: they create .venv and install what they need.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := demo
BENCH_SIZES ?= 100000 1000000
# customers of bench_run.py's runs; add 10000000 for the 10M goal (about 20 minutes, 50 GB)

.PHONY: run test lint bench bench-days clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# setup.py builds the C libraries (gensample/output/_csv_rows.c, gensample/native/_take.c,
# gensample/native/_search.c): a change to one is built again by either
C_SOURCES := gensample/output/_csv_rows.c gensample/native/_take.c gensample/native/_search.c
$(VENV)/.run-installed: setup.cfg pyproject.toml setup.py $(C_SOURCES) | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: setup.cfg pyproject.toml setup.py $(C_SOURCES) | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	test -f $(DEMO)/gensample.toml || $(BIN)/gensample init $(DEMO)
	$(BIN)/gensample run --dir $(DEMO) --timings

# The tests run in one process per core (pytest-xdist), a test module's tests in the same one
# (they share module fixtures): about 300 s on 2 cores instead of 540 s in one process.
test: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/pytest --numprocesses auto --dist loadfile

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check gensample tests

bench: $(VENV)/.test-installed
	$(BIN)/python bench/bench_run.py --sizes $(BENCH_SIZES)
	$(BIN)/python bench/bench_load.py

bench-days: $(VENV)/.test-installed
	$(BIN)/python bench/bench_days.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .ruff_cache .hypothesis build gensample/output/*.so gensample/native/*.so
