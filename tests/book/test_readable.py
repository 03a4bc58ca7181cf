"""Notebook pages read like pages: code fits the column, tables are rendered tables.

* Every code line of every notebook is at most 88 characters, ruff's line length, which
  is what assets/static/book.css fits into a code cell of the page's column.
* The notebooks in ``TABLES_RENDERED`` (every notebook but those in
  ``NOT_YET_CHECKED``) print no fixed-width text table: no
  f-string or ``str.format`` field with a width (``{name:<22}``, ``{x:7.1f}``), no
  ``ljust``/``rjust``/``center`` and no ``DataFrame.to_string``. Their tables go through
  ``lib.display.show_table`` (a Markdown table in the book, aligned text elsewhere).

Nothing here executes a notebook: the checks read the code, so they run in a second.
``test_the_checks_can_fail`` runs them on made-up code that breaks each rule once.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LINE_LENGTH = 88  # pyproject.toml's [tool.ruff] line-length
# Left out of the table check, each with its reason; the list is meant to shrink.
NOT_YET_CHECKED: set[str] = set()
TABLES_RENDERED = tuple(p.stem for p in NOTEBOOKS if p.stem not in NOT_YET_CHECKED)
# [[fill]align][sign][z][#][0]width: a field padded to a width
PADDED_SPEC = re.compile(r"^(?:.?[<>=^])?[+\- ]?z?#?0?\d+")
PADDING_CALLS = {"ljust", "rjust", "center", "to_string"}
FORMAT_FIELD = re.compile(r"\{[^{}]*?:([^{}]*)\}")


def code_cells(path: Path) -> list[str]:
    cells = json.loads(path.read_text())["cells"]
    return [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in cells
        if c["cell_type"] == "code"
    ]


def long_lines(cells: list[str]) -> list[str]:
    return [
        f"cell {k}: {len(line)} characters: {line[:60]}..."
        for k, source in enumerate(cells)
        for line in source.splitlines()
        if len(line) > LINE_LENGTH
    ]


def _spec_text(spec: ast.JoinedStr) -> str:
    return "".join(v.value for v in spec.values if isinstance(v, ast.Constant))


def padding(source: str) -> list[str]:
    """Every field padded to a width and every padding call in ``source``, by line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            spec = _spec_text(node.format_spec)
            if PADDED_SPEC.match(spec):
                found.append(
                    (
                        node.lineno,
                        node.col_offset,
                        f"an f-string field padded by {spec!r}",
                    )
                )
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name, owner = node.func.attr, node.func.value
            if name in PADDING_CALLS:
                found.append((node.lineno, node.col_offset, f".{name}(...)"))
            elif (
                name == "format"
                and isinstance(owner, ast.Constant)
                and isinstance(owner.value, str)
            ):
                for spec in FORMAT_FIELD.findall(owner.value):
                    if PADDED_SPEC.match(spec):
                        found.append(
                            (
                                node.lineno,
                                node.col_offset,
                                f"a str.format field {spec!r}",
                            )
                        )
    return [f"line {line}: {what}" for line, _, what in sorted(found)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_fits_the_column(path):
    too_long = long_lines(code_cells(path))
    assert not too_long, (
        f"{path.name}: code lines over {LINE_LENGTH} characters scroll sideways on the "
        "page; run `.venv/bin/ruff format` on the notebook:\n" + "\n".join(too_long)
    )


@pytest.mark.parametrize("name", TABLES_RENDERED)
def test_tables_are_rendered_not_padded(name):
    found = [
        f"cell {k}, {where}"
        for k, source in enumerate(code_cells(ROOT / "notebooks" / f"{name}.ipynb"))
        for where in padding(source)
    ]
    assert not found, (
        f"{name}.ipynb pads text into columns, which overflows the page; show the "
        "table with lib.display.show_table:\n" + "\n".join(found)
    )


def test_the_checks_can_fail():
    assert long_lines(["x = 1\n" + "y = " + "1" * 90]) == [
        f"cell 0: 94 characters: y = {'1' * 56}..."
    ]
    padded = padding(
        'print(f"{name:<22} {x:7.1f} {y:>10,} {z:.3f} {w:,} {v!r}")\n'
        'print("{:>4}".format(3), "{:.2f}".format(2))\n'
        "print(name.ljust(12), frame.to_string())\n"
    )
    assert sorted(padded) == [
        "line 1: an f-string field padded by '7.1f'",
        "line 1: an f-string field padded by '<22'",
        "line 1: an f-string field padded by '>10,'",
        "line 2: a str.format field '>4'",
        "line 3: .ljust(...)",
        "line 3: .to_string(...)",
    ], padded
    assert not padding('print(f"{x:.1e} {y:+.2f} {z:.0%} {w:g}")')


def test_the_listed_notebooks_exist():
    """An exclusion of a notebook that is gone (renamed, removed) is a stale one."""
    missing = [
        n for n in NOT_YET_CHECKED if not (ROOT / "notebooks" / f"{n}.ipynb").exists()
    ]
    assert not missing, missing
    assert len(TABLES_RENDERED) == len(NOTEBOOKS) - len(NOT_YET_CHECKED)
