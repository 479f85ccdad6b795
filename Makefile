# The two commands a new user needs:
#   make serve   build the sample site and preview it at http://127.0.0.1:8000/
#   make test    run the whole test suite
# Both create .venv and install what they need on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements/build.txt

.PHONY: setup setup-locked lock browser site serve test check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# For the workflows that check content, publish and ingest: ai-digest and its
# runtime dependencies at exactly the versions and hashes in $(LOCK), nothing
# else (no test tools, no resolver), so a dependency's new release cannot
# change what is built. pip check proves the lock is complete.
setup-locked:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --no-index .
	$(BIN)/python -m pip check

# After changing dependencies in pyproject.toml or requirements/build.in.
lock: setup
	$(BIN)/python -m pip install --quiet 'uv>=0.5'
	$(BIN)/uv pip compile pyproject.toml requirements/build.in --generate-hashes --universal --python-version 3.11 -o $(LOCK)

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
