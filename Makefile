# Two commands set everything up on a fresh machine:
#   make demo   runs the gateway on its embedded sandbox upstreams, with GraphiQL
#   make test   runs the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint bench sandbox schema clean

# The npm clients of tests/e2e/test_js_clients.py, where npm exists (skipped elsewhere).
$(BIN)/.installed: pyproject.toml tests/js/package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/js --no-audit --no-fund --loglevel=error; \
	fi
	touch $@

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
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache tests/js/node_modules
