# The README's two commands are `make book` and `make test`; both set up everything first.
# Every target uses the project's own virtual environment in .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: book test install system-deps exercises exercises-check bench lint format clean constraints

## Python packages: the course package (editable) with book and test extras, pinned by constraints.txt.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24"
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[book,test]'
	touch $(STAMP)

install: $(STAMP)

## Debian packages the tests need: Chromium for the browser test.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is missing: run 'sudo apt-get install chromium' (needed by the browser test)"; exit 1; \
	  fi; \
	fi

## The book: executes every chapter (cached in _build/.jupyter_cache) into _build/html.
## The cache is keyed by each notebook's code only, so it is dropped whenever the package's
## code changes: a chapter's numbers always come from the code that is checked out.
PACKAGE_HASH = $(shell cat $$(find coursepkg -name '*.py' | LC_ALL=C sort) | sha256sum | cut -c1-16)
book: install
	@if [ "$$(cat _build/.package-hash 2>/dev/null)" != "$(PACKAGE_HASH)" ]; then \
	  rm -rf _build; mkdir -p _build; echo $(PACKAGE_HASH) > _build/.package-hash; \
	fi
	$(BIN)/jupyter-book build . --builder html -W -n --keep-going
	@echo "Book built: _build/html/index.html"

## Every test: lint, unit tests, claims, grading suites, notebooks (nbval), the built book in Chromium.
test: install system-deps lint exercises-check book
	$(BIN)/python -m pytest tests book solutions --nbval-lax -p no:cacheprovider

exercises:  install
	$(BIN)/python -m coursepkg exercises

exercises-check: install
	$(BIN)/python -m coursepkg exercises --check

## Timings against the budgets in COURSE.md.
bench: install
	$(BIN)/python bench/benchmark.py

lint: install
	$(BIN)/ruff check coursepkg tests bench book/_ext
	$(BIN)/ruff format --check coursepkg tests bench book/_ext
	npm ci --prefix .github --no-audit --no-fund --silent
	node .github/lint-workflows.mjs

format: install
	$(BIN)/ruff format coursepkg tests bench book/_ext
	$(BIN)/ruff check --fix coursepkg tests bench book/_ext

constraints: install
	{ head -3 constraints.txt; $(BIN)/pip freeze --exclude-editable | grep -vi '^coursepkg'; } > constraints.new
	mv constraints.new constraints.txt

clean:
	rm -rf _build  # the execution cache too: claims are re-measured on the next build
