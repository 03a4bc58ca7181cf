# The two commands of the README:
#   make book    build the whole book into _build/html (BOOK_SIZE=book unless you say otherwise)
#   make test    every test: lint, lib's unit tests, nbval on every notebook, the book build, a browser check
# Both set everything up on first use: the virtual environment (.venv, from requirements.txt),
# the offline front-end files (assets/, from package-lock.json) and, for the browser check,
# Debian's chromium when it is missing and can be installed. `make help` lists every target.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BOOK_SIZE ?= book
JOBS ?= 2
# Tests and CI read the data from ../shared/data when it is there; elsewhere lib downloads it.
export BOOK_DATA_DIR ?= $(if $(wildcard ../shared/data),$(abspath ../shared/data),)
export TQDM_DISABLE = 1

.PHONY: help book test lint unit gpu-check-smoke notebooks nb build-test browser gpu-check sync format \
	bench env assets clean pdf student

help:   ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /  make \1\t/' | expand -t 24

book: env assets   ## build the whole book into _build/html (BOOK_SIZE=smoke|book|full, default book)
	$(PY) scripts/build_book.py --size $(BOOK_SIZE) --out .

# Reuses make book's execution cache (executes nothing); stops when a notebook is missing or stale
pdf: env assets   ## the whole book as one PDF, _build/pdf/book.pdf, from the built book (make book first)
	bash scripts/ensure_chromium.sh
	$(PY) scripts/pdf.py --size $(BOOK_SIZE)

# The book without the exercises' solutions, from make book's execution cache (executes
# nothing once the book is built; else what make book would, which make book then reuses)
student: env assets   ## the student edition, without solutions: _build/student/_build/html
	$(PY) scripts/build_book.py --size $(BOOK_SIZE) --out . --student

test: env assets   ## every test: lint, unit tests, every notebook, the smoke book build, the browser
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory lint unit gpu-check-smoke notebooks build-test browser && \
	echo "make test: all passed in $$(( $$(date +%s) - start )) s"

lint: env   ## ruff: lint and format check of lib, scripts, tests and notebooks (rules in pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

unit: env   ## lib's unit tests and the book's static checks (no notebook executed)
	$(PY) -m pytest tests -m "not browser and not site" -q

# scripts/gpu_check.sh tested on the CPU: one test file, one notebook, the smoke character model
gpu-check-smoke: env   ## scripts/gpu_check.sh on the CPU at smoke size, report in _build/gpu-check-smoke
	OMP_NUM_THREADS=1 bash scripts/gpu_check.sh _build/gpu-check-smoke --size smoke --charlm-size smoke \
		--tests tests/test_runtime.py --notebooks lstm_family --budget 120

# nbval executes every notebook (asserts in cells do the checking), two at a time, one core each
notebooks: env   ## execute every notebook at smoke size, as the tests do
	BOOK_SIZE=smoke OMP_NUM_THREADS=1 $(PY) -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider \
		-n $(JOBS) --dist loadfile -q notebooks

nb: env   ## execute one notebook as the tests do: make nb NB=bptt (BOOK_SIZE=smoke unless given)
	@test -n "$(NB)" || { echo "usage: make nb NB=<name of a notebook in notebooks/>"; exit 2; }
	BOOK_SIZE=$(if $(filter command line environment,$(origin BOOK_SIZE)),$(BOOK_SIZE),smoke) \
		$(PY) -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider -q notebooks/$(NB:.ipynb=).ipynb

build-test: env assets   ## build the book at smoke size into _build/test (what the browser check reads)
	$(PY) scripts/build_book.py --size smoke --out _build/test

browser: env   ## headless Chromium against the smoke build (run make build-test first)
	bash scripts/ensure_chromium.sh
	BOOK_HTML=_build/test/_build/html $(PY) -m pytest tests -m "browser or site" -q

# No env: a GPU machine may have no network; the script takes .venv's Python, else python3
gpu-check:   ## on a GPU: unit tests on cuda, notebooks at book size, full character model (ARGS=...)
	bash scripts/gpu_check.sh --require-cuda $(ARGS)

sync: env   ## after editing notebooks: Colab cell first, outputs stripped
	$(PY) scripts/notebooks.py sync

format: env   ## apply ruff's fixes and formatting (what make lint checks)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: env   ## every speed target of the book, each measured side by side with its reference
	for script in scripts/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

env: $(VENV)/.installed   ## the virtual environment (.venv) from requirements.txt, lib editable
$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

assets: assets/vendor/.installed   ## the offline front-end files (MathJax 3, the widget manager)
assets/vendor/.installed: assets/package-lock.json scripts/vendor_assets.sh
	bash scripts/vendor_assets.sh
	touch $@

clean:   ## remove _build (the execution cache with it)
	rm -rf _build
