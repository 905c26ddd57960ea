# Two commands on a fresh Debian machine:  make demo  |  make test
# Both run `make setup` first, which installs what is missing and starts nothing.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Debian packages: PostgreSQL + PostGIS for the private cluster, venv for Python,
# GDAL's command-line tools for checking GIS outputs, Chromium for the browser tests.
DEB_PACKAGES := postgresql postgresql-postgis python3-venv gdal-bin chromium

.PHONY: setup system-packages venv demo serve test lint typecheck jstest pytest bench bench-load bench-carry clean

setup: system-packages venv

system-packages:
	@bash scripts/install-system-packages.sh $(DEB_PACKAGES)

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: setup
	$(BIN)/nis demo

serve: setup
	$(BIN)/nis serve

test: setup lint typecheck jstest pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

# The web page's pure helpers (frontend/lib): their tests under node --test, and their JSDoc
# types under tsc. The dev tools come from frontend/package-lock.json; the sign-in tests'
# OpenID provider (oidc-provider, run by Node.js) from tests/oidc_provider/package-lock.json.
# Each is installed again only when its lock or package.json is newer than the install
# (node_modules is not committed); a machine without npm gets Debian's nodejs and npm first.
# No install scripts run (see scripts/vendor-frontend.sh).
NODE_TOOLS    := frontend/node_modules/.nis-installed
OIDC_PROVIDER := tests/oidc_provider/node_modules/.nis-installed

jstest: $(NODE_TOOLS)
	node --test frontend/tests/
	cd frontend && npx --no-install tsc -p tsconfig.json

%/node_modules/.nis-installed: %/package.json %/package-lock.json
	@command -v npm >/dev/null || bash scripts/install-system-packages.sh nodejs npm
	cd $* && npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

pytest: $(OIDC_PROVIDER)
	$(BIN)/pytest

bench: setup
	$(BIN)/python bench/bench_areas.py

# Readers alone and with a partner uploading while analyses run (QUICK=1: 20 s phases).
bench-load: setup
	$(BIN)/python bench/bench_load.py $(if $(QUICK),--quick)

# Issue 14: 20 indicators x 60 months carried from national LSOAs to ~7,000 wards (QUICK=1:
# 5 x 12), and the ward map against the LSOA map.
bench-carry: setup
	$(BIN)/python bench/bench_carry.py $(if $(QUICK),--quick)

clean:
	-$(BIN)/nis db stop
	rm -rf $(VENV) .nis .mypy_cache .ruff_cache .pytest_cache
