# The two commands of the README:
#   make book    build the whole book into _build/html (BOOK_SIZE=book unless you say otherwise)
#   make test    every test: lib's unit tests, nbval on every notebook, the book build, a browser check
# Both set everything up on first use: the virtual environment (.venv, from requirements.txt),
# the offline front-end files (assets/, from package-lock.json) and, for the browser check,
# Debian's chromium when it is missing and can be installed.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BOOK_SIZE ?= book
JOBS ?= 2
# Tests and CI read the data from ../shared/data when it is there; elsewhere lib downloads it.
export BOOK_DATA_DIR ?= $(if $(wildcard ../shared/data),$(abspath ../shared/data),)
export TQDM_DISABLE = 1

.PHONY: book test unit notebooks build-test browser bench env assets clean

book: env assets
	$(PY) scripts/build_book.py --size $(BOOK_SIZE) --out .

test: env assets
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory unit notebooks build-test browser && \
	echo "make test: all passed in $$(( $$(date +%s) - start )) s"

unit:
	$(PY) -m pytest tests -m "not browser and not site" -q

# nbval executes every notebook (asserts in cells do the checking), two at a time, one core each
notebooks:
	BOOK_SIZE=smoke OMP_NUM_THREADS=1 $(PY) -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider \
		-n $(JOBS) --dist loadfile -q notebooks

build-test:
	$(PY) scripts/build_book.py --size smoke --out _build/test

browser:
	bash scripts/ensure_chromium.sh
	BOOK_HTML=_build/test/_build/html $(PY) -m pytest tests -m "browser or site" -q

env: $(VENV)/.installed
$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

assets: assets/vendor/.installed
assets/vendor/.installed: assets/package-lock.json scripts/vendor_assets.sh
	bash scripts/vendor_assets.sh
	touch $@

clean:
	rm -rf _build

# every speed target of the book, each measured side by side with its reference (prints ratios)
bench: env
	for script in scripts/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done
