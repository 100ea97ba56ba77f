# The two commands a new user needs: `make demo` and `make test`. Each makes its own .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test bench lint clean i18n

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
	$(BIN)/wiredesk --database sqlite:///var/wiredesk.db demo --host $(HOST) --port $(PORT)

# axe-core (pinned in package-lock.json) for the browser tests' accessibility checks; where
# there is no npm those checks are skipped and say why.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: tests/test_browser.py will skip its axe-core checks"; fi

test: $(VENV)/.test-extras node_modules/axe-core/axe.min.js
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest -q

bench: $(VENV)/.test-extras
	@command -v wrk >/dev/null && command -v nginx >/dev/null && [ -x /usr/sbin/varnishd ] || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light \
	   varnish varnish-modules)
	$(BIN)/python bench/parse.py
	$(BIN)/python bench/tick.py
	$(BIN)/python bench/textdiff.py
	$(BIN)/python bench/stores.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/serve.py
	$(BIN)/python bench/latency.py
	$(BIN)/python bench/live.py
	$(BIN)/python bench/sections.py
	$(BIN)/python bench/clusters.py
	$(BIN)/python bench/rules.py
	$(BIN)/python bench/pictures.py

# The site's words (docs/languages.md): collect every marked msgid from the templates and the
# Python (babel.cfg) into messages.pot, then merge it into each language's messages.po. New
# words arrive empty (or fuzzy, which the site does not show): translate them, and
# tests/test_i18n.py passes again. The .po files are compiled when the site starts.
LOCALES := src/wiredesk/web/locale
i18n: $(BIN)/wiredesk
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --project wiredesk \
	  --copyright-holder wiredesk -o $(LOCALES)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) -w 100

lint: $(VENV)/.test-extras
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis node_modules test-artifacts
