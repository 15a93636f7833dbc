# The README's two commands are `make book` and `make test`; both set up everything first.
# Every target uses the project's own virtual environment in .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
KERNEL_CONFIG := $(VENV)/etc/ipython/ipython_kernel_config.py

.PHONY: book pdf test install system-deps lab exercises exercises-check release bench lint format \
	lock clean

## Python packages: the course package (editable) with its book, test and JupyterLab extras,
## at the versions of constraints.txt (the lock: `make lock`), and the kernels' configuration.
$(STAMP): pyproject.toml constraints.txt jupyter/ipython_kernel_config.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24"
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[book,test,lab]'
	install -D -m 644 jupyter/ipython_kernel_config.py $(KERNEL_CONFIG)
	touch $(STAMP)

install: $(STAMP)

## Debian packages the tests need, installed when run as root: Chromium for the browser test,
## bubblewrap for the grader's sandbox. For another user, a message: the browser test skips
## itself, and without bubblewrap grading runs with resource limits only (sandbox tests skip).
system-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "make: Chromium is missing and only root can install it (sudo apt-get install chromium);"; \
	    echo "      the browser test will be skipped, every other test runs."; \
	  fi; \
	fi
	@if ! command -v bwrap >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; \
	  else \
	    echo "bubblewrap is missing: run 'sudo apt-get install bubblewrap' (the grader's sandbox;"; \
	    echo "without it grading runs with resource limits only and the sandbox tests are skipped)"; \
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

## The book as one PDF: the single-page build (served from the HTML build's execution cache,
## so no chapter runs again) printed by Chromium. Skipped, with a message, without Chromium.
pdf: book
	$(BIN)/jupyter-book build . --builder singlehtml -W -n --keep-going
	@if command -v chromium >/dev/null 2>&1; then \
	  $(BIN)/coursepkg pdf --html _build/singlehtml --out _build/pdf/book.pdf; \
	else echo "make: Chromium is missing, so no PDF (sudo apt-get install chromium)"; fi

## Every test: lint, unit tests, claims, grading suites, solution notebooks (nbval), the built
## book in Chromium and its PDF. The chapters run once, in the book build: pytest does not
## execute them again (a chapter that fails to run fails the build).
test: install system-deps lint exercises-check pdf
	$(BIN)/python -m pytest tests solutions --nbval-lax -p no:cacheprovider

## JupyterLab on the whole course (chapters in book/, exercises, solutions), from the same
## environment: its kernel imports coursepkg. Stop it with Ctrl-C.
lab: install
	$(BIN)/jupyter lab --notebook-dir=.

## exercises/ and the public checks' stored values, from solutions/ (never edit them by hand).
exercises: install
	$(BIN)/python -m coursepkg exercises

exercises-check: install
	$(BIN)/python -m coursepkg exercises --check

## The student edition (release/student) and a Gradescope bundle per exercise (release/autograder).
release: install
	$(BIN)/python -m coursepkg release --out release

## Timings against the budgets in COURSE.md.
bench: install
	$(BIN)/python bench/benchmark.py

lint: install
	$(BIN)/ruff check coursepkg tests bench book/_ext jupyter
	$(BIN)/ruff format --check coursepkg tests bench book/_ext jupyter
	npm ci --prefix .github --no-audit --no-fund --silent
	node .github/lint-workflows.mjs

format: install
	$(BIN)/ruff format coursepkg tests bench book/_ext jupyter
	$(BIN)/ruff check --fix coursepkg tests bench book/_ext jupyter

## Refresh the lock (constraints.txt) from pyproject.toml and the exact pins in pins.in.
## uv resolves from the public package index only (it reads no pip configuration and, with
## --no-config and its index variables unset, no uv configuration: no local mirror or wheel
## folder of this machine), for every platform and every Python from 3.11 on.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -c constraints.txt uv
	env -u UV_INDEX_URL -u UV_DEFAULT_INDEX -u UV_INDEX -u UV_EXTRA_INDEX_URL -u UV_FIND_LINKS \
	  $(BIN)/uv pip compile pyproject.toml --all-extras -c pins.in --universal --no-config \
	  --python-version 3.11 --no-annotate --custom-compile-command "make lock" -o constraints.txt

clean:
	rm -rf _build  # the execution cache too: claims are re-measured on the next build
