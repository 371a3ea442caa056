# The two commands: `make run` (the platform with demo data) and `make test` (the suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test screenshots install assets css messages migrate demo bench bench-pages bench-clock lint clean image check-compose

run: install assets migrate demo
	@$(BIN)/python manage.py demo_credentials
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

test: install assets
	$(BIN)/pytest $(PYTEST_ARGS)

# The browser tests again, saving screenshots of every page they check to test-artifacts/screenshots/.
screenshots: install assets
	SCREENSHOTS=1 $(BIN)/pytest tests/browser $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

assets: css messages

css: install
	VENV=$(VENV) bash scripts/build_css.sh

messages: install
	$(BIN)/python scripts/compile_messages.py

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

bench: install assets migrate
	$(BIN)/python manage.py bench

bench-pages: install assets
	$(BIN)/python manage.py bench_pages

# The production image with podman (no Docker daemon needed); the base image is built once and cached.
image:
	bash scripts/build_image.sh

# docker-compose.yml against the compose-spec schema and podman-compose config.
check-compose:
	bash scripts/check_compose.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf var static/build
