PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean chromium

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/doorstep up --demo --host 127.0.0.1 --port 5000

# The browser tests drive the system's Chromium (never a downloaded one).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null; \
	  else \
	    echo "make test needs Chromium for the browser tests: sudo apt-get install chromium"; exit 1; \
	  fi; }

test: $(STAMP) chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy scheduler dispatch demo
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/pip install -q -e '.[dev,bench]'
	$(BIN)/python -m bench.solomon --quick
	$(BIN)/python -m bench.commune --quick
	$(BIN)/python -m bench.submits --quick

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
