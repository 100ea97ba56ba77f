# The two commands a new user needs: `make demo` and `make test`. Each makes its own .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test bench lint clean

$(BIN)/wiredesk: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-extras: $(BIN)/wiredesk
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/wiredesk
	mkdir -p var
	$(BIN)/wiredesk demo --database sqlite:///var/wiredesk.db --host $(HOST) --port $(PORT)

test: $(VENV)/.test-extras
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest -q

bench: $(VENV)/.test-extras
	$(BIN)/python bench/parse.py

lint: $(VENV)/.test-extras
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
