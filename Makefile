# GANscope: build, run and test.
#
#   make run    create .venv with the runtime packages, check the server's settings, then
#               serve the app on localhost:8501
#   make test   install the dev packages (and Debian's chromium and postgresql if missing),
#               then run pytest
#   make lint   install the dev packages, then run ruff (lint and format check) and mypy
#   make i18n   extract the strings people read, update the Chinese catalog, compile it
#   make cluster       PostgreSQL, two app replicas and nginx in front on localhost:8080
#                      (deploy/cluster.py; state, logs and pid files in .cluster/)
#   make cluster-down  stop all of it, by the pids in .cluster/
#
# Stamp files inside .venv record which requirements were installed, so repeated runs
# skip pip until a requirements file changes (or .venv is removed).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
PYTEST_ARGS ?=

RUNTIME_STAMP := $(VENV)/.runtime.stamp
DEV_STAMP     := $(VENV)/.dev.stamp

CHROMIUM := /usr/bin/chromium
NGINX    := /usr/sbin/nginx

# The local cluster (`make cluster`): where it keeps its state and where each part listens.
CLUSTER_DIR   ?= .cluster
PROXY_PORT    ?= 8080
DB_PORT       ?= 5433
APP_PORTS     ?= 8601,8602
CLUSTER_ARGS  ?=
# apt-get needs root: use sudo only when not already root.
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: venv dev run test chromium nginx postgresql cluster cluster-down lint bench clean distclean \
	i18n catalogs

venv: $(RUNTIME_STAMP)

dev: $(DEV_STAMP)

# Debian's python3 needs the python3-venv package for `-m venv`; install it if that fails.
$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { \
	  echo "python3 -m venv failed; installing python3-venv with apt-get"; \
	  rm -rf $(VENV); \
	  $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv && \
	  $(PYTHON) -m venv $(VENV); }

$(RUNTIME_STAMP): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install -r requirements-dev.txt
	@touch $(RUNTIME_STAMP) $@

# The server's GANSCOPE_* settings are checked first: a bad one stops here, in one line.
run: $(RUNTIME_STAMP) catalogs
	@$(BIN)/python -m gan_core.jobs.limits
	$(BIN)/streamlit run app.py --server.address localhost --server.port $(PORT)

# Browser tests drive Debian's chromium (Playwright cannot download its own browsers here).
# The Chinese pages need a CJK font, or every character shows as a box: fonts-noto-cjk.
chromium:
	@if [ ! -x $(CHROMIUM) ] || [ -z "$$(fc-list :lang=zh 2>/dev/null)" ]; then \
	  echo "installing Debian's chromium and fonts-noto-cjk (chromium or a Chinese font is missing)"; \
	  $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk; \
	fi

# The cluster's proxy is Debian's nginx.
nginx:
	@if [ ! -x $(NGINX) ]; then \
	  echo "$(NGINX) not found; installing Debian's nginx"; \
	  $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y nginx; \
	fi

# CLUSTER_ARGS passes more options, e.g. CLUSTER_ARGS="--replica-jobs 4 --replica-workers 2".
cluster: $(RUNTIME_STAMP) nginx
	@$(BIN)/python -m gan_core.jobs.limits
	$(BIN)/python deploy/cluster.py up --dir $(CLUSTER_DIR) --proxy-port $(PROXY_PORT) \
	  --db-port $(DB_PORT) --app-ports $(APP_PORTS) $(CLUSTER_ARGS)

cluster-down:
	$(BIN)/python deploy/cluster.py down --dir $(CLUSTER_DIR)

# The store's tests start a throwaway PostgreSQL server of their own (tests/pg_server.py):
# they need Debian's server binaries, not a running server.
postgresql:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "/usr/lib/postgresql/*/bin/initdb not found; installing Debian's postgresql"; \
	  $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; \
	fi

test: $(DEV_STAMP) chromium nginx postgresql catalogs
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Translations (gan_core/i18n): strings marked with _() / N_() / ngettext() in the code are
# extracted into the template, merged into each language's .po (translators edit that),
# and compiled into the .mo files gettext reads. `catalogs` compiles only; `make run` and
# `make test` do it, so a fresh clone needs nothing more. Compiled .mo files are not
# committed: they are built from the .po.
LOCALE_DIR := gan_core/i18n/locale
POT        := $(LOCALE_DIR)/ganscope.pot

catalogs: $(RUNTIME_STAMP)
	@$(BIN)/pybabel compile --domain ganscope --directory $(LOCALE_DIR) --statistics

i18n: $(RUNTIME_STAMP)
	$(BIN)/pybabel extract --mapping-file babel.cfg --keyword N_ --keyword ngettext:1,2 \
	  --no-location --sort-output --project GANscope --copyright-holder GANscope \
	  --output-file $(POT) .
	$(BIN)/pybabel update --input-file $(POT) --domain ganscope --output-dir $(LOCALE_DIR) \
	  --no-fuzzy-matching --ignore-obsolete
	$(MAKE) catalogs

# mypy's settings (which packages, how strict) live in pyproject.toml under [tool.mypy].
lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(DEV_STAMP)
	$(BIN)/python -m benchmarks.run_all

# Remove caches and test output; keeps .venv (see distclean).
clean:
	rm -rf .pytest_cache .ruff_cache .mypy_cache test-results
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
