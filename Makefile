# Two commands do all set-up on a fresh machine with Python 3.11 and make:
#   make run    build the store (model + example dataset) and serve it over SPARQL
#   make test   run the whole test suite
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | sha256sum | cut -c1-12)

.PHONY: run test lint docs bench clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "algokg needs Python 3.11 (set PYTHON=...)"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test,docs]'
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP)
	$(BIN)/algokg serve

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

docs: $(STAMP)
	$(BIN)/python -m docs.generate

# Load throughput against raw pyoxigraph bulk load (minutes; not part of `make test`).
bench: $(STAMP)
	$(BIN)/python -m benchmarks.load --sizes 1000,10000,100000 --json benchmarks/results-load.json

clean:
	rm -rf $(VENV) build *.egg-info
