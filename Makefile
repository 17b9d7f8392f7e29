# The two commands of the README:
#   make demo   grade the bundled example submission (public + hidden checks) and print the report
#   make test   lint, stub-drift check, workflow lint and the whole test suite
# Both create or refresh .venv first (it is rebuilt when pyproject.toml changes).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: venv demo test lint stubs
venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

demo: venv
	$(BIN)/rlgrade grade examples/hw01-student --hw hw01 --hidden --out grading/example --allow-weak-sandbox

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/actionlint .github/workflows/*.yml grader/templates/student/*.yml

stubs: venv
	$(BIN)/rlgrade stubs

test: lint
	$(BIN)/rlgrade stubs --check
	$(PY) -m pytest -n 2 tests/grader
