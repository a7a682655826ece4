# nhi-evidence: every target installs what it needs (virtual environment and system libraries).
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSSTAMP := $(VENV)/.system-deps
DEMO_OUT ?= evidence/demo
# Debian packages: Pango/HarfBuzz for weasyprint, poppler-utils (pdftoppm, pdftotext) to check PDFs, git.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils git
# compliance-trestle (an OSCAL client the tests run) pins exact versions of other packages: own venv, never a dependency.
TRESTLE_VENV := .venv-trestle
TRESTLE_STAMP := $(TRESTLE_VENV)/.installed
TRESTLE_VERSION := 5.2.0

.PHONY: help dev demo test lint bench golden fuzz wheel-check clean system-deps trestle-venv

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-14s %s\n", $$1, $$2}'

$(SYSSTAMP):
	@mkdir -p $(VENV)
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@touch $@

system-deps: $(SYSSTAMP) ## Install the system libraries (Pango for weasyprint, poppler-utils)

$(STAMP): pyproject.toml $(SYSSTAMP)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

dev: $(STAMP) ## Create .venv with the tool and its development dependencies

$(TRESTLE_STAMP):
	@test -x $(TRESTLE_VENV)/bin/python || $(PYTHON) -m venv $(TRESTLE_VENV)
	@$(TRESTLE_VENV)/bin/python -m pip install -q 'compliance-trestle==$(TRESTLE_VERSION)'
	@touch $@

trestle-venv: $(TRESTLE_STAMP) ## Create .venv-trestle with compliance-trestle, the OSCAL client the tests run

demo: $(STAMP) ## Scan the example organisation, build its 2026-Q3 and 2026-Q4 audit packs, diff and trend them (evidence/demo)
	@bash examples/demo.sh "$(BIN)" "$(DEMO_OUT)"

test: $(STAMP) $(TRESTLE_STAMP) ## Run the test suite
	@$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP) ## ruff and mypy
	@$(BIN)/ruff check nhi_evidence tests bench
	@$(BIN)/ruff format --check nhi_evidence tests bench
	@$(BIN)/mypy

bench: $(STAMP) ## Benchmarks: print throughput, memory and per-stage figures
	@$(BIN)/python -m pip install -q -e '.[dev,bench]'
	@$(BIN)/python -m bench.run

golden: $(STAMP) ## Rewrite the golden files from the code (review the diff before committing)
	@NHI_EVIDENCE_WRITE_GOLDEN=1 $(BIN)/python -m pytest -q -m golden -p no:xdist || true
	@git status --short tests/golden

fuzz: $(STAMP) ## Longer property-based fuzzing of every parser and collector
	@NHI_EVIDENCE_FUZZ_EXAMPLES=20000 $(BIN)/python -m pytest -q -p no:xdist tests/fuzz

wheel-check: $(STAMP) ## Build the wheel and check that mappings/ and templates/ are inside
	@$(BIN)/python -m pytest -q -p no:xdist tests/test_packaging.py

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) $(TRESTLE_VENV) dist build .pytest_cache .mypy_cache .ruff_cache
