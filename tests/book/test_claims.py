"""The page of claims (book/claims.md) shows only what the notebooks measured.

Every ``{glue:...}`` role on the page must name a notebook that exists and a key that
notebook glues: a ``glue("key", ...)`` call in one of its code cells (an f-string
key, ``glue(f"name_{k}", ...)``, stands for every key its pattern matches). Every row
of the page's tables must name at least one report ("report 1" .. "report 5"), link
the notebook or chapter that tests the claim with ``{doc}``, and give a verdict. The
page must be linked from the home page and keep the rows the book promises.
``test_the_check_can_fail`` runs the same check on a made-up page and notebook that
break each rule once.

Nothing here executes a notebook: the check reads their code, so it runs in a second.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "book" / "claims.md"
HOME = ROOT / "book" / "intro.md"

COLUMNS = ("Claim", "Reports", "Tested in", "This build", "Verdict")
GLUE_ROLE = re.compile(r"\{glue(?::(?:text|any|md|figure|math))?\}`([^`]*)`")
DOC_ROLE = re.compile(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`")
REPORT = re.compile(r"\breport [1-5]\b")
# keys the page must show: the claims the book promises to test (one of each tuple)
REQUIRED_KEYS = (
    ("claims_rnn_perfect_up_to",),
    ("claims_rnn_chance_from",),
    ("claims_rnn_vs_lstm_course",),
    ("claims_rnn_vs_lstm_book",),
    ("claims_rnn_vs_lstm_verdict",),
    ("claims_peephole_report_settings",),
    ("claims_peephole_book_settings",),
    ("claims_peephole_verdict",),
    ("claims_relu_300",),
    ("claims_relu_verdict",),
    ("claims_clipping_verdict",),
    ("claims_rmsprop_reports_loss",),
    ("claims_adam_report3_nan_step",),
    ("claims_adam_report3_loss_end",),
    *((f"claims_lstm_params_report{k}",) for k in range(1, 6)),
    ("claims_c_to_e", "gcn_c_to_e_hops"),
    ("claims_temperature_effect",),
)


# --- reading the page ----------------------------------------------------------------


def glue_references(text: str) -> list[tuple[str, str | None, str, str]]:
    """(role text, notebook path or None, key, format) of every glue role
    ``{glue:text}`NOTEBOOK::KEY:FORMAT```; an empty format where there is none (myst-nb
    would then take the key for the format)."""
    found = []
    for match in GLUE_ROLE.finditer(text):
        content = match.group(1)
        doc, sep, rest = content.partition("::")
        if not sep:
            doc, rest = None, content
        key, colon, fmt = rest.rpartition(":")
        if not colon:
            key, fmt = rest, ""
        found.append((content, doc, key, fmt))
    return found


def list_tables(text: str) -> list[list[list[str]]]:
    """The body rows (header rows left out) of every ``{list-table}``, each row a list
    of its cells' text."""
    tables = []
    for block in re.findall(r"^```\{list-table\}[^\n]*\n(.*?)^```", text, re.M | re.S):
        header_rows = int((re.search(r":header-rows:\s*(\d+)", block) or [0, 0])[1])
        rows: list[list[str]] = []
        for line in block.splitlines():
            if line.startswith(":") or not line.strip():
                continue
            if line.startswith("* - "):
                rows.append([line[4:]])
            elif line.startswith("  - ") and rows:
                rows[-1].append(line[4:])
            elif rows:
                rows[-1][-1] += " " + line.strip()
        tables.append([row for row in rows[header_rows:]])
    return tables


# --- reading the notebooks -----------------------------------------------------------


def _key_pattern(node: ast.expr) -> str | None:
    """A regular expression for the key a glue call's first argument names."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value)
    if isinstance(node, ast.JoinedStr):  # f"name_{k}": any name in place of {k}
        return "".join(
            re.escape(part.value) if isinstance(part, ast.Constant) else r"[\w.-]+"
            for part in node.values
        )
    return None


def glued_keys(notebook: Path) -> list[str]:
    """Patterns of the keys that ``notebook``'s code cells pass to ``glue``."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    patterns = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = cell["source"]
        source = "".join(source) if isinstance(source, list) else source
        # IPython lines (%magic, !shell) are not Python
        python = "\n".join(
            "" if line.lstrip().startswith(("%", "!")) else line
            for line in source.splitlines()
        )
        try:
            tree = ast.parse(python)
        except SyntaxError:  # fall back on the text: glue("key" or glue(f"key
            patterns += [
                re.escape(key) if not f else re.sub(r"\\\{[^}]*\\\}", r"[\\w.-]+", key)
                for f, key in re.findall(r"glue\(\s*(f?)\"([^\"]+)\"", source)
            ]
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and node.args
                and (
                    (isinstance(node.func, ast.Name) and node.func.id == "glue")
                    or (
                        isinstance(node.func, ast.Attribute)
                        and node.func.attr == "glue"
                    )
                )
            ):
                pattern = _key_pattern(node.args[0])
                if pattern is not None:
                    patterns.append(pattern)
    return patterns


def is_glued(key: str, patterns: list[str]) -> bool:
    return any(re.fullmatch(pattern, key) for pattern in patterns)


# --- the check -----------------------------------------------------------------------


def problems(text: str, page: Path) -> list[str]:
    """Everything wrong with a page of claims at ``page`` whose text is ``text``."""
    found = []
    keys_of: dict[Path, list[str]] = {}
    for content, doc, key, fmt in glue_references(text):
        if doc is None:
            found.append(f"{content}: no notebook named (../notebooks/NAME.ipynb::key)")
            continue
        if not fmt:
            found.append(f"{content}: no format (::key:s); myst-nb would misread it")
        notebook = (page.parent / doc).resolve()
        if notebook.suffix != ".ipynb" or not notebook.is_file():
            found.append(f"{content}: no notebook {doc}")
            continue
        if notebook not in keys_of:
            keys_of[notebook] = glued_keys(notebook)
        if not is_glued(key, keys_of[notebook]):
            found.append(f"{content}: {notebook.name} glues no key {key!r}")
    tables = list_tables(text)
    if not tables:
        found.append("no {list-table} of claims on the page")
    for table in tables:
        for row in table:
            claim = row[0][:60]
            if len(row) != len(COLUMNS):
                found.append(f"row {claim!r}: {len(row)} cells, not {len(COLUMNS)}")
                continue
            cells = dict(zip(COLUMNS, row))
            if not REPORT.search(cells["Reports"]):
                found.append(f"row {claim!r}: no report named (report 1 .. report 5)")
            links = DOC_ROLE.findall(cells["Tested in"])
            if not links:
                found.append(f"row {claim!r}: no {{doc}} link to where it is tested")
            for link in links:
                target = (page.parent / link).resolve()
                if not any(
                    target.with_suffix(suffix).is_file() for suffix in (".md", ".ipynb")
                ):
                    found.append(f"row {claim!r}: {{doc}} link to nothing: {link}")
            if not cells["This build"].strip():
                found.append(f"row {claim!r}: no measured value")
            if not cells["Verdict"].strip():
                found.append(f"row {claim!r}: no verdict")
    return found


# --- the tests -----------------------------------------------------------------------

TEXT = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
REFERENCES = glue_references(TEXT)


def test_the_page_has_rows_and_glued_values():
    rows = [row for table in list_tables(TEXT) for row in table]
    assert len(rows) >= 9, f"the page should have at least 9 claims; it has {len(rows)}"
    assert len(REFERENCES) >= len(rows), (
        f"every row should show glued values: {len(REFERENCES)} glue roles for "
        f"{len(rows)} rows"
    )


@pytest.mark.parametrize("reference", REFERENCES, ids=lambda r: r[0])
def test_every_glued_value_comes_from_a_notebook_that_glues_it(reference):
    content, doc, key, fmt = reference
    assert doc is not None, f"{content}: name the notebook, ../notebooks/NAME.ipynb::"
    assert fmt, f"{content}: give a format (:s), or myst-nb splits the key wrongly"
    notebook = (PAGE.parent / doc).resolve()
    assert notebook.suffix == ".ipynb" and notebook.is_file(), (
        f"{content}: there is no notebook {doc}"
    )
    assert is_glued(key, glued_keys(notebook)), (
        f"{content}: {notebook.name} has no glue({key!r}, ...) in its code cells"
    )


def test_every_row_names_a_report_a_place_and_a_verdict():
    found = [p for p in problems(TEXT, PAGE) if p.startswith(("row ", "no {"))]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("keys", REQUIRED_KEYS, ids=lambda keys: keys[0])
def test_the_promised_claims_are_on_the_page(keys):
    shown = {key for _, _, key, _ in REFERENCES}
    assert shown & set(keys), f"the page should show {' or '.join(keys)}"


def test_the_home_page_links_the_page():
    assert re.search(
        r"\{doc\}`(?:[^`]*<)?claims>?`", HOME.read_text(encoding="utf-8")
    ), "book/intro.md should link the page of claims with {doc}`claims`"


def test_the_check_can_fail(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "chapter.md").write_text("# A chapter\n")
    notebook = tmp_path / "notebooks" / "nb.ipynb"
    code = (
        "from myst_nb import glue\n%matplotlib inline\n"
        'glue("present", 1, display=False)\n'
        'for k in (1, 2):\n    glue(f"per_report{k}", k, display=False)\n'
    )
    notebook.write_text(
        json.dumps({"cells": [{"cell_type": "code", "source": code}]}),
        encoding="utf-8",
    )
    good_row = (
        "* - A claim.\n  - report 2\n  - {doc}`../notebooks/nb`\n"
        "  - {glue:text}`../notebooks/nb.ipynb::present:s` and "
        "{glue:text}`../notebooks/nb.ipynb::per_report2:s`\n  - Holds.\n"
    )
    header = "* - Claim\n  - Reports\n  - Tested in\n  - This build\n  - Verdict\n"
    table = "```{{list-table}}\n:header-rows: 1\n\n{}{}```\n"
    page = tmp_path / "book" / "claims.md"
    assert problems(table.format(header, good_row), page) == []

    bad_rows = (
        "* - Missing key.\n  - report 1\n  - {doc}`chapter`\n"
        "  - {glue:text}`../notebooks/nb.ipynb::absent:s`\n  - Holds.\n"
        "* - Missing notebook.\n  - report 1\n  - {doc}`chapter`\n"
        "  - {glue:text}`../notebooks/gone.ipynb::present:s`\n  - Holds.\n"
        "* - No format.\n  - report 1\n  - {doc}`chapter`\n"
        "  - {glue:text}`../notebooks/nb.ipynb::present`\n  - Holds.\n"
        "* - No report.\n  - a student\n  - {doc}`chapter`\n"
        "  - {glue:text}`../notebooks/nb.ipynb::present:s`\n  - Holds.\n"
        "* - No verdict.\n  - report 3\n  - {doc}`chapter`\n"
        "  - {glue:text}`../notebooks/nb.ipynb::present:s`\n  - \n"
        "* - Nowhere tested.\n  - report 4\n  - in a notebook\n"
        "  - {glue:text}`../notebooks/nb.ipynb::present:s`\n  - Holds.\n"
        "* - Broken link.\n  - report 5\n  - {doc}`../notebooks/missing`\n"
        "  - {glue:text}`../notebooks/nb.ipynb::present:s`\n  - Holds.\n"
    )
    found = problems(table.format(header, bad_rows), page)
    expected = {
        "glues no key 'absent'": 1,
        "no notebook ../notebooks/gone.ipynb": 1,
        "no format": 1,
        "'No report.': no report named": 1,
        "'No verdict.': no verdict": 1,
        "'Nowhere tested.': no {doc} link": 1,
        "{doc} link to nothing: ../notebooks/missing": 1,
    }
    for needle, count in expected.items():
        assert sum(needle in p for p in found) == count, (
            f"the check should report {needle!r} {count} time(s); it found: {found}"
        )
    assert len(found) == sum(expected.values()), f"unexpected problems: {found}"
    # an f-string key stands for the keys its pattern matches, and no others
    patterns = glued_keys(notebook)
    assert is_glued("per_report2", patterns) and is_glued("present", patterns)
    assert not is_glued("report2", patterns) and not is_glued("present_too", patterns)
    assert problems("# No table\n", page) == ["no {list-table} of claims on the page"]
