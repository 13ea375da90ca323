# Two commands set everything up on a fresh machine:
#   make demo   runs the gateway on its embedded sandbox upstreams, with GraphiQL
#   make test   runs the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
GRAPHIQL := gateway/graphiql

.PHONY: demo test lint bench sandbox schema clean graphiql-assets js-clients chromium

$(BIN)/.installed: pyproject.toml $(GRAPHIQL)/package-lock.json $(GRAPHIQL)/assets.json tests/js/package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(MAKE) --no-print-directory graphiql-assets js-clients chromium
	touch $@

# GraphiQL's browser files: `npm ci` of the pinned package-lock.json, then just the files
# named in assets.json copied into gateway/graphiql/static/ (gitignored), which the
# gateway serves. npm's log is kept to errors: graphiql-explorer, bundled in the explorer
# plugin, declares old peer ranges (react 16, graphql 15) that npm warns about at length.
graphiql-assets:
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; } \
	  || { echo "npm not found: install Node.js and npm, then run make graphiql-assets" >&2; exit 1; }
	cd $(GRAPHIQL) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
	  && node copy-assets.mjs

# The npm clients of tests/e2e/test_js_clients.py (graphql-request, graphql-ws, codegen),
# pinned by tests/js/package-lock.json; the tests skip where they are not installed.
js-clients:
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/js --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the JavaScript client tests will be skipped"; fi

# Debian's Chromium, for the GraphiQL browser test (skipped when there is none),
# installed when missing and make runs as root.
chromium:
	@if command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "no chromium and not root: the GraphiQL browser test will be skipped"; fi

demo: $(BIN)/.installed
	$(BIN)/jobs-gateway serve --demo

test: $(BIN)/.installed
	$(BIN)/pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

sandbox: $(BIN)/.installed
	$(BIN)/jobs-gateway sandbox

schema: $(BIN)/.installed
	$(BIN)/jobs-gateway schema > schema.graphql

bench: $(BIN)/.installed
	$(BIN)/python -m bench.nodes_batching
	$(BIN)/python -m bench.jobs_view

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts tests/js/node_modules
	rm -rf $(GRAPHIQL)/node_modules $(GRAPHIQL)/static
