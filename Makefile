# Two commands do all set-up on a fresh machine with Python 3.11 and make:
#   make run    build the store (model + example dataset) and serve it over SPARQL
#   make test   run the whole test suite
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | sha256sum | cut -c1-12)

.PHONY: run test lint docs bench bench-http bench-rest bench-remote bench-abuse bench-all fidelity fuzz clean web

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "algokg needs Python 3.11 (set PYTHON=...)"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test,docs]'
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP) web
	$(BIN)/algokg serve

test: $(STAMP) web
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# The fuzz suite of `make test` with 10,000 inputs (loader: CSV, JSON, Turtle, RDF/XML, JSON-LD; assessment and
# answers files; server: SPARQL queries, updates, /api/validate), seeded; a summary table, every bad outcome listed
# (about 10-15 minutes).
fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz.run --inputs 10000 --seed 1 --json tests/fuzz/results.json

docs: $(STAMP)
	$(BIN)/python -m docs.generate

# Load throughput against raw pyoxigraph bulk load (minutes; not part of `make test`).
bench: $(STAMP)
	$(BIN)/python -m benchmarks.load --sizes 1000,10000,100000 --json benchmarks/results-load.json

# HTTP throughput and p50/p99 of /sparql against `oxigraph serve-read-only` on the same data (about a minute).
bench-http: $(STAMP)
	$(BIN)/python -m benchmarks.http --size 1000 --clients 8 --duration 5 --json benchmarks/results-http.json

# Each REST template over HTTP (cold and warm, p50/p99, 4 clients) against its own SPARQL on pyoxigraph in-process.
bench-rest: $(STAMP)
	$(BIN)/python -m benchmarks.rest --size 1000 --clients 4 --json benchmarks/results-rest.json

# Publishing to Oxigraph server and Virtuoso, and the REST API answering from them, against the embedded store
bench-remote: $(STAMP)
	$(BIN)/python -m benchmarks.remote --size 1000 --json benchmarks/results-remote.json

# How faithfully a load with no flags tells the real register's samples (../shared/samples) against the
# hand-annotated gold files in tests/gold/: precision and recall per field family, JSON in benchmarks/results-fidelity.json.
fidelity: $(STAMP)
	$(BIN)/python -m benchmarks.fidelity --json benchmarks/results-fidelity.json

# 50 anonymous clients running expensive queries: /health (goal p99 < 100 ms) and a cheap query (p99 < 1 s) meanwhile
# (about a minute).
bench-abuse: $(STAMP)
	$(BIN)/python -m benchmarks.abuse --size 1000 --clients 50 --duration 40 --json benchmarks/results-abuse.json

# Every benchmark against its baseline in one run: one table of medians and ratios, JSON in benchmarks/results.json
# (a few minutes at 1k; see docs/performance.md). CORES=1 pins the run to one CPU (figures comparable across machines).
bench-all: $(STAMP)
	$(BIN)/python -m benchmarks.run --sizes 1000 $(if $(CORES),--cores $(CORES)) --json benchmarks/results.json

# The front-end builds from the npm registry, copied into sparql_api/web/static/vendor/: the query page's YASGUI
# editor (@zazuko/yasgui) and Swagger UI for /docs (swagger-ui-dist), both pinned in package-lock.json.
# Without npm, or if the install fails, the query page offers its own plain editor and /docs a plain list of the
# endpoints (rendered by the server from the OpenAPI document).
WEB := sparql_api/web
# build.mjs writes this file last, after YASGUI's: it stands for the whole build.
VENDOR := $(WEB)/static/vendor/swagger-ui/build.json

web:
	@if command -v npm >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory $(VENDOR) || echo "make web: the front-end build failed; /query uses its plain editor, /docs its plain list"; \
	else echo "make web: npm not found; /query uses its plain editor, /docs its plain list (install Node.js and npm for YASGUI and Swagger UI)"; fi

$(VENDOR): $(WEB)/frontend/package.json $(WEB)/frontend/package-lock.json $(WEB)/frontend/build.mjs
	cd $(WEB)/frontend && npm ci --no-audit --no-fund --ignore-scripts && node build.mjs

clean:
	rm -rf $(VENV) build *.egg-info $(WEB)/frontend/node_modules $(WEB)/static/vendor
