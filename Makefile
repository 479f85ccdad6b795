# The two commands a new user needs:
#   make serve   build the sample site and preview it at http://127.0.0.1:8000/
#   make test    run the whole test suite
# Both create .venv and install what they need on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup browser site serve test check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Debian packages the browser and HTML-validation tests need (Chromium, Java).
browser:
	@scripts/ensure-test-tools

site: setup
	$(BIN)/digest build

serve: setup
	$(BIN)/digest serve

check: setup
	$(BIN)/digest check --strict

test: setup browser
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf site .digest-cache
