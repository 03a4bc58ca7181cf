"""The book build's cache invalidation (scripts/build_book.py): never stale, never
wasteful.

A notebook is executed again exactly when a lib file it imports (directly or through
lib), the requirements or BOOK_SIZE changed. Most tests use a tiny book in tmp_path: a
lib with a shared module, a module and a package with data, and two notebooks.
"""

from __future__ import annotations

import copy

import nbformat
import pytest
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn

from scripts.build_book import (
    ROOT,
    UNRESOLVED,
    invalidate_stale_notebooks,
    notebook_dependencies,
    notebook_fingerprints,
    pages_are_stale,
    pages_fingerprint,
    why_stale,
)

TOC = """\
format: jb-book
root: book/intro
chapters:
  - file: book/chapter
    sections:
      - file: notebooks/first
      - file: notebooks/second
"""
LIB = {
    "lib/__init__.py": '"""A tiny lib."""\n',
    "lib/shared.py": "import math\n\nTAU = 2 * math.pi\n",
    "lib/alpha.py": "from .shared import TAU\n",  # a relative import
    "lib/beta/__init__.py": "from . import model\nfrom lib.beta.model import *\n",
    "lib/beta/model.py": "from ..shared import TAU\n\nSCALE = TAU\n",
    "lib/beta/table.js": "const table = [1, 2, 3];\n",  # read at run time
}
FIRST = "%matplotlib inline\nfrom lib import alpha\nprint(alpha.TAU)"  # IPython syntax
SECOND = "import numpy as np\nfrom lib.beta import SCALE\nprint(np.pi, SCALE)"
BOTH = {"notebooks/first.ipynb", "notebooks/second.ipynb"}


def write_notebook(path, *sources):
    path.parent.mkdir(parents=True, exist_ok=True)
    cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)


@pytest.fixture
def book(tmp_path):
    """A two-notebook book: first imports lib.alpha, second the package lib.beta."""
    root = tmp_path / "book"
    files = {
        **LIB,
        "_toc.yml": TOC,
        "requirements.txt": "numpy\n",
        "pyproject.toml": "[project]\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    write_notebook(root / "notebooks" / "first.ipynb", FIRST)
    write_notebook(root / "notebooks" / "second.ipynb", SECOND)
    return root


def invalidate(book, size="smoke"):
    """What the build script does first: {notebook: why} for the notebooks to run."""
    fingerprints = notebook_fingerprints(book, size)
    return invalidate_stale_notebooks(book / "_build", book, fingerprints)


def cache_executed(book, name):
    """Cache an executed copy of notebooks/NAME, as execute_in_parallel does."""
    path = book / "notebooks" / name
    nb = copy.deepcopy(nbformat.read(path, as_version=4))
    for count, cell in enumerate(nb.cells, 1):
        cell.execution_count = count
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ran\n")]
    bundle = CacheBundleIn(nb, str(path), data={"execution_seconds": 1.0})
    cache = get_cache(str(book / "_build" / ".jupyter_cache"))
    cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)


def cached(book):
    """The notebooks (by file name) the execution cache holds an execution of."""
    records = get_cache(str(book / "_build" / ".jupyter_cache")).list_cache_records()
    return sorted(record.uri.rsplit("/", 1)[-1] for record in records)


# --- dependencies -------------------------------------------------------------------


def test_a_notebook_depends_on_what_it_imports_through_lib(book):
    first = notebook_dependencies(book, book / "notebooks" / "first.ipynb")
    assert first == ["lib/__init__.py", "lib/alpha.py", "lib/shared.py"]
    second = notebook_dependencies(book, book / "notebooks" / "second.ipynb")
    assert second == [
        "lib/__init__.py",
        "lib/beta/__init__.py",
        "lib/beta/model.py",
        "lib/beta/table.js",
        "lib/shared.py",
    ]


def test_the_graph_chapters_do_not_depend_on_the_recurrent_wing():
    gcn = set(notebook_dependencies(ROOT, ROOT / "notebooks" / "gcn.ipynb"))
    assert {
        "lib/__init__.py",
        "lib/runtime.py",
        "lib/display.py",
        "lib/graphs/__init__.py",
        "lib/graphs/gcn.py",
    } <= gcn
    assert "lib/recurrent/lstm.py" not in gcn
    assert not any(name.startswith(("lib/recurrent/", "lib/text/")) for name in gcn)


def test_text_generation_depends_on_the_lstm_through_lib_text():
    text = notebook_dependencies(ROOT, ROOT / "notebooks" / "text_generation.ipynb")
    assert {"lib/text/model.py", "lib/recurrent/lstm.py"} <= set(text)
    lab = notebook_dependencies(ROOT, ROOT / "notebooks" / "temperature_lab.ipynb")
    assert "lib/text/templab/templab.js" in lab, "package data belongs to the package"


def test_every_notebook_of_the_book_has_imports_that_can_be_followed():
    unresolved = {
        name: fingerprint[UNRESOLVED]
        for name, fingerprint in notebook_fingerprints(ROOT, "smoke").items()
        if UNRESOLVED in fingerprint
    }
    assert not unresolved, f"these notebooks would run in every build: {unresolved}"


@pytest.mark.parametrize(
    "source",
    [
        "from lib.missing import thing",
        "import importlib\nimportlib.import_module('lib.' + 'alpha')",
        "for = 1  # not Python",
    ],
)
def test_a_notebook_whose_imports_cannot_be_followed_always_runs(book, source):
    write_notebook(book / "notebooks" / "first.ipynb", source)
    fingerprint = notebook_fingerprints(book, "smoke")["notebooks/first.ipynb"]
    assert UNRESOLVED in fingerprint
    assert "first.ipynb" in fingerprint[UNRESOLVED]
    assert why_stale(fingerprint, fingerprint), "the same stamp, still executed again"


def test_a_dynamic_import_of_a_constant_name_is_followed(book):
    first = book / "notebooks" / "first.ipynb"
    write_notebook(first, "import importlib\na = importlib.import_module('lib.alpha')")
    assert "lib/alpha.py" in notebook_dependencies(book, first)


# --- fingerprints -------------------------------------------------------------------


@pytest.mark.parametrize(
    "edited, stale",
    [
        ("lib/alpha.py", {"notebooks/first.ipynb"}),
        ("lib/beta/model.py", {"notebooks/second.ipynb"}),
        ("lib/beta/table.js", {"notebooks/second.ipynb"}),
        ("lib/shared.py", BOTH),
        ("requirements.txt", BOTH),
    ],
)
def test_an_edit_changes_the_stamps_of_the_notebooks_importing_it(book, edited, stale):
    before = notebook_fingerprints(book, "smoke")
    with (book / edited).open("a") as handle:
        handle.write("\n// edited\n" if edited.endswith(".js") else "\n# edited\n")
    after = notebook_fingerprints(book, "smoke")
    reasons = {name: why_stale(before[name], after[name]) for name in after}
    assert {name for name, why in reasons.items() if why} == stale
    assert all(reasons[name] == f"{edited} changed" for name in stale)


def test_another_size_changes_every_stamp(book):
    smoke = notebook_fingerprints(book, "smoke")
    full = notebook_fingerprints(book, "full")
    reasons = {why_stale(smoke[name], full[name]) for name in smoke}
    assert reasons == {"BOOK_SIZE changed"}
    assert why_stale(None, smoke["notebooks/first.ipynb"]) == "new"


def test_another_seed_offset_changes_every_stamp(book, monkeypatch):
    monkeypatch.delenv("BOOK_SEED_OFFSET", raising=False)
    before = notebook_fingerprints(book, "smoke")
    monkeypatch.setenv("BOOK_SEED_OFFSET", "1000")
    after = notebook_fingerprints(book, "smoke")
    reasons = {why_stale(before[name], after[name]) for name in before}
    assert reasons == {"BOOK_SEED_OFFSET changed"}


def test_only_the_install_tables_of_pyproject_count(book):
    before = notebook_fingerprints(book, "smoke")
    with (book / "pyproject.toml").open("a") as handle:
        handle.write("\n[tool.ruff]\nline-length = 88\n")  # no notebook runs on it
    assert notebook_fingerprints(book, "smoke") == before
    with (book / "pyproject.toml").open("a") as handle:
        handle.write('\n[build-system]\nrequires = ["setuptools"]\n')
    after = notebook_fingerprints(book, "smoke")
    reasons = {why_stale(before[name], after[name]) for name in before}
    assert reasons == {"pyproject.toml changed"}


# --- the execution cache and the pages ----------------------------------------------


def test_only_the_notebook_whose_stamp_changed_leaves_the_cache(book):
    assert invalidate(book) == dict.fromkeys(sorted(BOTH), "new")  # first build
    cache_executed(book, "first.ipynb")
    cache_executed(book, "second.ipynb")
    assert not invalidate(book), "nothing changed: nothing runs again"
    assert cached(book) == ["first.ipynb", "second.ipynb"]

    model = book / "lib" / "beta" / "model.py"
    model.write_text(model.read_text().replace("SCALE = TAU", "SCALE = 2 * TAU"))
    assert invalidate(book) == {"notebooks/second.ipynb": "lib/beta/model.py changed"}
    assert cached(book) == ["first.ipynb"]
    assert not invalidate(book)


def test_older_versions_of_a_stale_notebook_leave_the_cache_too(book):
    """Changed back to an older version, a notebook would match its old outputs."""
    invalidate(book)
    cache_executed(book, "second.ipynb")
    write_notebook(book / "notebooks" / "second.ipynb", SECOND + "\nprint('newer')")
    cache_executed(book, "second.ipynb")
    assert cached(book) == ["second.ipynb", "second.ipynb"]
    invalidate(book, size="full")
    assert cached(book) == []


def test_an_unreadable_stamp_executes_every_notebook_again(book):
    invalidate(book)
    (book / "_build" / ".notebook-fingerprints.json").write_text("{not json")
    assert invalidate(book) == dict.fromkeys(sorted(BOTH), "new")


def test_a_change_of_code_rereads_every_page_until_a_good_build(book):
    build = book / "_build"
    v1 = pages_fingerprint(book, notebook_fingerprints(book, "smoke"))
    assert pages_are_stale(build, v1)  # first build
    build.mkdir()
    (build / ".lib-fingerprint").write_text(v1)  # ... and it succeeded
    assert not pages_are_stale(build, v1)
    (book / "lib" / "alpha.py").write_text("from .shared import TAU as tau\n")
    v2 = pages_fingerprint(book, notebook_fingerprints(book, "smoke"))
    assert pages_are_stale(build, v2), "a notebook's outputs changed: read every page"
    (build / ".lib-fingerprint").write_text(v2)
    (book / "assets" / "static").mkdir(parents=True)
    (book / "assets" / "static" / "book.css").write_text("body {}\n")
    v3 = pages_fingerprint(book, notebook_fingerprints(book, "smoke"))
    assert pages_are_stale(build, v3), "the assets changed: read every page"


def test_a_failed_build_keeps_what_it_executed_with_the_same_code(book):
    fingerprints = notebook_fingerprints(book, "smoke")
    invalidate(book)
    cache_executed(book, "first.ipynb")  # ... and then the build failed
    assert not invalidate(book)
    assert cached(book) == ["first.ipynb"], "executed notebooks are kept"
    assert pages_are_stale(book / "_build", pages_fingerprint(book, fingerprints)), (
        "pages are read again until a good build"
    )
