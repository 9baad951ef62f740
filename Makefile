# trustdesk tasks. `make help` lists them.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP_FLAGS ?= -q --disable-pip-version-check

.DEFAULT_GOAL := help

help: ## List the tasks
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install $(PIP_FLAGS) -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install $(PIP_FLAGS) -c constraints.txt -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed ## Install trustdesk into .venv
dev: $(VENV)/.installed-dev ## Install trustdesk with the development tools

demo: install ## Run the desk with the demo data in its own SQLite file (./trustdesk-demo.db)
	$(BIN)/trustdesk serve --demo

browser: ## Install Debian's Chromium for the browser tests (needs root and apt; skipped otherwise)
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
	  echo "chromium not installed: browser tests will be skipped"; }

lint: dev ## ruff (lint + format check) and mypy
	$(BIN)/ruff check src tests bench training
	$(BIN)/ruff format --check src tests bench training
	$(BIN)/mypy

test: dev browser lint ## Everything CI runs: lint, types, all tests on SQLite and PostgreSQL, browser tests
	$(BIN)/python -m pytest

train: ## Retrain every shipped analysis model from ../shared/data (~3 h on 2 cores; never in CI)
	$(BIN)/pip install $(PIP_FLAGS) -c constraints.txt -e '.[train]'
	$(BIN)/python -m training.train_teacher fetch
	$(BIN)/python -m training.train_teacher train --data ../shared/data --epochs 3
	$(BIN)/python -m training.train_teacher label --data ../shared/data --limit 24000
	$(BIN)/python -m training.train_fast --data ../shared/data --teacher training/work/teacher_emotion.jsonl
	$(BIN)/python -m training.train_accurate --data ../shared/data --minutes 110 --threads 2 --steps-per-second 0.8
	$(BIN)/python -m training.train_accurate --data ../shared/data --resume --minutes 20 --threads 2 --lr 2e-5 \
	  --steps-per-second 1.3 --boost tweet_emotion=3 --boost offensive=2
	$(BIN)/python -m training.export_accurate --data ../shared/data
	$(BIN)/python -m training.refit_emotion_head --data ../shared/data
	$(BIN)/python -m training.tune_ensemble --data ../shared/data

bench: install ## Inbox and reply benchmarks at 100,000 messages (JSON on stdout)
	$(BIN)/python -m bench.inbox --messages 100000 --db sqlite --json
	$(BIN)/python -m bench.replies --json

.PHONY: help install dev demo browser lint test train bench
