# `make run` and `make test` create or refresh .venv from pyproject.toml (only when it changed).
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]' 2>&1 | { grep -v "^WARNING: Location" || true; }
	$(BIN)/python -c "import torch, torchvision, PySide6, pyqtgraph, torchinfo"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/resnet-studio

lint: $(STAMP)
	$(BIN)/ruff check resnet_studio tests bench docs main.py
	$(BIN)/ruff format --check resnet_studio tests bench docs main.py
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format resnet_studio tests bench docs main.py
	$(BIN)/ruff check --fix resnet_studio tests bench docs main.py

# the tests run in a new random order each time, in JOBS processes (pytest-xdist); SEED=N with
# JOBS=1 repeats one order exactly (with more processes, which process takes which test varies)
JOBS ?= 2
test: $(STAMP) lint
	@seed=$${SEED:-$$RANDOM}; echo "tests in random order, seed $$seed, $(JOBS) processes (make test SEED=$$seed JOBS=1 repeats the order)"; \
	$(BIN)/python -m pytest -q -p randomly --randomly-seed=$$seed -n $(JOBS) --durations=10

bench: $(STAMP)
	$(BIN)/python bench/analysis.py
	$(BIN)/python bench/ui_latency.py
	$(BIN)/python bench/train_overhead.py
	$(BIN)/python bench/curves.py
	$(BIN)/python bench/ui_responsiveness.py --repeat 5
	$(BIN)/python bench/cli_startup.py
	$(BIN)/python bench/window_startup.py
	$(BIN)/python bench/export_times.py
	$(BIN)/python bench/profile_check.py --threads 1 --input-size 64 --rounds 9
	$(BIN)/python bench/inspect_times.py
	$(BIN)/python bench/sweep_overhead.py
	$(BIN)/python bench/sweeps_view.py
	$(BIN)/python bench/notebook_render.py

screenshots: $(STAMP)
	$(BIN)/python docs/screenshots.py docs
	$(BIN)/python docs/screenshots_inspect.py docs
	$(BIN)/python docs/screenshots_profile.py docs --threads=1
	$(BIN)/python docs/screenshots_notebook.py docs

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
