"""The notebooks as files: committed clean, all in the book, all installable on
Colab."""

from __future__ import annotations

import re

import nbformat
import pytest

from scripts.notebooks import COLAB_TAG, ROOT, colab_cell_source
from scripts.toc import toc_files

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.outputs or c.execution_count)
    ]
    assert not dirty, (
        f"cells {dirty} have outputs: run `python scripts/notebooks.py sync`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_listed_in_toc(path):
    assert f"notebooks/{path.stem}" in toc_files(ROOT), f"{path.name} not in _toc.yml"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_cell_installs_lib_on_colab(path):
    first = nbformat.read(path, as_version=4).cells[0]
    assert (
        COLAB_TAG in first.metadata.get("tags", [])
        and "remove-cell" in first.metadata["tags"]
    )
    assert first.source == colab_cell_source(), "run `python scripts/notebooks.py sync`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_checks_its_claims(path):
    """Executing a notebook is checking it: each has asserts that can fail."""
    code = "\n".join(
        c.source
        for c in nbformat.read(path, as_version=4).cells
        if c.cell_type == "code"
    )
    assert re.search(r"^\s*assert ", code, flags=re.M), f"{path.name} asserts nothing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_glues_through_lib_not_myst_nb(path):
    """Colab has no myst_nb; lib.display.glue works there."""
    nb = nbformat.read(path, as_version=4)
    imports = [
        line
        for cell in nb.cells
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if re.match(r"\s*(from|import)\s+myst_nb\b", line)
    ]
    assert not imports, f"{path.name} imports myst_nb: {imports}"
