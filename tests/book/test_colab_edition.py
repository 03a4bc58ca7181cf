"""The Colab edition (scripts/colab_edition.py): no MyST left in any notebook, every
link an absolute URL, the install cell as specified.

The unit tests convert every notebook without building the book: with the index of
the smoke build (_build/test/_build) when there is one, else with an index read from
the sources. The tests marked ``site`` check the edition a build wrote, next to its
HTML (BOOK_HTML/../colab, as ``make browser`` runs them after ``make build-test``):
every link lands on a page and an anchor of that build, and the pages' downloads are
the edition.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from urllib.parse import urlsplit

import nbformat
import pytest

from scripts.colab_edition import (
    COLAB_TAG,
    INSTALL_CELL_ID,
    NOT_FOUND,
    BookIndex,
    EditionError,
    Resolver,
    Target,
    book_config,
    colab_notebook,
    install_cell_source,
)
from scripts.notebooks import ROOT
from scripts.toc import notebooks_in_toc
from tests.book.browser_support import built_site

SMOKE_BUILD = ROOT / "_build" / "test" / "_build"
CONFIG = book_config(ROOT)
URL = CONFIG["repository"]["url"]
BASE = CONFIG["html"]["baseurl"].rstrip("/") + "/"
NOTEBOOKS = notebooks_in_toc(ROOT)
DOCNAMES = [path.relative_to(ROOT).with_suffix("").as_posix() for path in NOTEBOOKS]
COMMIT = "0123456789abcdef0123456789abcdef01234567"

# What Colab would show as raw text: a role, a directive fence, a label line, a MyST
# comment or block break, a substitution.
MYST = {
    "role": re.compile(r"\{[A-Za-z][\w:+.-]*\}`"),
    "directive": re.compile(r"^\s*(`{3,}|~{3,}|:{3,})\s*\{", re.M),
    "label": re.compile(r"^\s*\([^()\s]+\)=\s*$", re.M),
    "comment or block break": re.compile(r"^(%|\+\+\+)", re.M),
    "substitution": re.compile(r"\{\{[^}]*\}\}"),
}
CODE_BLOCK = re.compile(r"^(`{3,}|~{3,})(?!\s*\{).*?^\1\s*$", re.M | re.S)
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^()\s]*)(?:\s+\"[^\"]*\")?\)")


def myst_left(markdown: str) -> list[str]:
    """Every piece of MyST in ``markdown`` (code blocks aside), as "kind: text"."""
    prose = CODE_BLOCK.sub("", markdown)
    return [
        f"{kind}: {m.group(0)!r}"
        for kind, pattern in MYST.items()
        for m in pattern.finditer(prose)
    ]


def link_targets(markdown: str) -> list[str]:
    return LINK.findall(CODE_BLOCK.sub("", markdown))


def markdown_of(nb) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == "markdown"]


@pytest.fixture(scope="module")
def index() -> BookIndex:
    """The smoke build's index when that build exists, else one read from the
    sources. A label the sources have and an older smoke build lacks (one added
    since) is taken from the sources: a missing label is still an error."""
    sources = BookIndex.from_sources(ROOT)
    if not (SMOKE_BUILD / ".doctrees" / "environment.pickle").is_file():
        return sources
    built = BookIndex.from_build(ROOT, SMOKE_BUILD)
    for name, target in sources.labels.items():
        built.labels.setdefault(name, target)
    return built


@pytest.fixture(scope="module")
def edition(index) -> dict[str, nbformat.NotebookNode]:
    source = install_cell_source(URL, COMMIT)
    return {
        docname: colab_notebook(
            nbformat.read(path, as_version=4), docname, index, source
        )
        for docname, path in zip(DOCNAMES, NOTEBOOKS)
    }


# ------------------------------------------------------------ every notebook, converted
@pytest.mark.parametrize("docname", DOCNAMES)
def test_no_myst_is_left(edition, docname):
    left = [
        f"cell {k}: {found}"
        for k, markdown in enumerate(markdown_of(edition[docname]))
        for found in myst_left(markdown)
    ]
    assert not left, left


@pytest.mark.parametrize("docname", DOCNAMES)
def test_every_link_is_an_absolute_url(edition, docname):
    targets = [t for md in markdown_of(edition[docname]) for t in link_targets(md)]
    relative = [t for t in targets if not urlsplit(t).scheme]
    assert not relative, f"links Colab cannot follow: {relative}"
    book = [t for t in targets if t.startswith(BASE)]
    assert book, "a notebook of the book links to its page at least"
    own = [
        t for t in targets if urlsplit(t).netloc == urlsplit(BASE).netloc
    ]  # the book's host: under html.baseurl
    assert own == book, f"links to the book's site outside {BASE}: {set(own) - {*book}}"


@pytest.mark.parametrize("docname", DOCNAMES)
def test_the_first_cell_installs_lib_and_the_code_is_the_notebooks(edition, docname):
    nb, source = edition[docname], nbformat.read(ROOT / f"{docname}.ipynb", 4)
    first = nb.cells[0]
    assert first.cell_type == "code" and first.id == INSTALL_CELL_ID
    assert first.source == install_cell_source(URL, COMMIT)
    assert not first.metadata.get("tags"), "visible: no remove-cell tag"
    code = [c.source for c in nb.cells[1:] if c.cell_type == "code"]
    assert code == [
        c.source
        for c in source.cells
        if c.cell_type == "code" and COLAB_TAG not in c.metadata.get("tags", [])
    ]
    assert all(not c.outputs for c in nb.cells if c.cell_type == "code")
    nbformat.validate(nb)


# ----------------------------------------------------------------- the install cell
def test_the_install_cell_pins_the_commit_and_says_why_it_is_there():
    source = install_cell_source("https://github.com/o/r", COMMIT)
    compile(source, "install cell", "exec")
    first = source.splitlines()[0]
    assert first.startswith("# ") and "Colab" in first
    assert 'REPOSITORY = "https://github.com/o/r"' in source
    assert f'COMMIT = "{COMMIT}"' in source
    assert 'REQUIREMENT = f"rnn-gnn-book @ git+{REPOSITORY}@{COMMIT}"' in source
    assert "--quiet" not in source and "--upgrade" not in source and "-U" not in source
    assert max(map(len, source.splitlines())) <= 88


def run_cell(source: str, on_colab: bool) -> subprocess.CompletedProcess:
    """The cell run by this environment's Python, with google.colab imported (a
    stand-in module) or not."""
    colab = "import sys, types; sys.modules['google.colab'] = types.ModuleType('c')\n"
    return subprocess.run(
        [sys.executable, "-c", (colab if on_colab else "") + source],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_outside_colab_the_cell_installs_nothing_and_says_how_in_one_line():
    done = run_cell(install_cell_source(URL, COMMIT), on_colab=False)
    assert done.returncode == 0 and done.stderr == ""
    (line,) = done.stdout.splitlines()
    assert "pip install -e ." in line and "README" in line


def test_on_colab_a_failed_install_shows_pip_and_raises(tmp_path):
    missing = (tmp_path / "no-such-repository").as_uri()
    done = run_cell(install_cell_source(missing, COMMIT), on_colab=True)
    assert done.returncode != 0
    assert "RuntimeError: pip could not install rnn-gnn-book @ git+" in done.stderr
    assert "its output above says why" in done.stderr
    assert "git" in done.stdout and "error" in done.stdout.lower()  # pip's own words


# --------------------------------------------------------------- the resolver's rules
@pytest.fixture
def small():
    """A book of two pages, by hand."""
    index = BookIndex(
        base_url="https://example.org/book/",
        book_title="A book",
        titles={"book/ch": "The chapter", "notebooks/nb": "The notebook"},
        labels={
            "ch-sec": Target("book/ch", "ch-sec", "A section"),
            "nb-fig": Target("notebooks/nb", "nb-fig", ""),
        },
        equations={"ch-eq": Target("book/ch", "equation-ch-eq", "(2)")},
        numbers={"nb-fig": "Fig. 3"},
        glue={"notebooks/nb": {"loss": {"text/plain": "1.23456"}}},
        citations={
            "a2020": (["Ada"], "2020"),
            "b2021": (["Bo", "Cy"], "2021"),
            "c2022": (["Di", "Ed", "Fa"], "2022"),
        },
        bibliography="book/ch",
    )
    return Resolver(index, "notebooks/nb")


@pytest.mark.parametrize(
    "myst, markdown",
    [
        ("{doc}`../book/ch`", "[The chapter](https://example.org/book/book/ch.html)"),
        ("{doc}`that <../book/ch>`", "[that](https://example.org/book/book/ch.html)"),
        ("{doc}`/book/ch`", "[The chapter](https://example.org/book/book/ch.html)"),
        ("{ref}`ch-sec`", "[A section](https://example.org/book/book/ch.html#ch-sec)"),
        (
            "{ref}`here <CH-SEC>`",
            "[here](https://example.org/book/book/ch.html#ch-sec)",
        ),
        (
            "{numref}`nb-fig`",
            "[Fig. 3](https://example.org/book/notebooks/nb.html#nb-fig)",
        ),
        ("{eq}`ch-eq`", "[(2)](https://example.org/book/book/ch.html#equation-ch-eq)"),
        ("{glue:text}`loss:.2f`", "1.23"),
        ("{glue:text}`loss`", "1.23456"),
        ("{glue}`loss`", "1.23456"),
        ("{glue:text}`missing:.2f`", NOT_FOUND),
        ("{cite}`a2020`", "([Ada, 2020](https://example.org/book/book/ch.html))"),
        (
            "{cite}`b2021,c2022`",
            "([Bo and Cy, 2021](https://example.org/book/book/ch.html); "
            "[Di et al., 2022](https://example.org/book/book/ch.html))",
        ),
        ("{cite:t}`a2020`", "[Ada (2020)](https://example.org/book/book/ch.html)"),
        ("{cite}`unknown`", "(unknown)"),
        ("{math}`x^2`", "$x^2$"),
        ("[sec](ch-sec)", "[sec](https://example.org/book/book/ch.html#ch-sec)"),
        ("[](ch-sec)", "[A section](https://example.org/book/book/ch.html#ch-sec)"),
        ("[ch](../book/ch.md)", "[ch](https://example.org/book/book/ch.html)"),
        ("[x](https://a.org/b)", "[x](https://a.org/b)"),
        ("`{doc}` stays code", "`{doc}` stays code"),
        ("``{eq}`x` `` too", "``{eq}`x` `` too"),
    ],
)
def test_inline_myst(small, myst, markdown):
    assert small.markdown(f"see {myst}.") == f"see {markdown}."


def test_labels_comments_and_block_breaks_go(small):
    assert small.markdown("(nb-fig)=\n## Title\n% a comment\n+++\ntext") == (
        "## Title\ntext"
    )


def test_a_directive_becomes_a_blockquote_with_a_bold_title(small):
    text = "```{note}\nSee {eq}`ch-eq`.\n\nMore.\n```\n\n:::{admonition} Why\nso\n:::"
    assert small.markdown(text) == (
        "> **Note**\n>\n"
        "> See [(2)](https://example.org/book/book/ch.html#equation-ch-eq).\n>\n"
        "> More.\n\n"
        "> **Why**\n>\n> so"
    )


def test_nested_directives_and_options(small):
    text = "````{warning}\n:class: x\n```{tip}\ninner\n```\n````"
    assert small.markdown(text) == ("> **Warning**\n>\n> > **Tip**\n> >\n> > inner")


def test_other_directives_become_blockquotes_too(small):
    assert small.markdown("```{epigraph}\nQuoted.\n```") == (
        "> **Epigraph**\n>\n> Quoted."
    )


def test_code_blocks_are_kept_as_they_are(small):
    text = "```python\n# {doc}`x`\n(label)=\n```"
    assert small.markdown(text) == text


def test_labelled_equations_carry_the_books_number(small):
    assert small.markdown("$$\nx = 1\n$$ (ch-eq)") == "$$\nx = 1\n \\tag{2}\n$$"
    assert small.markdown("$$ x = 1 $$ (ch-eq)") == "$$ x = 1  \\tag{2}$$"
    assert small.markdown("```{math}\n:label: ch-eq\ny\n```") == ("$$\ny\n\\tag{2}\n$$")
    assert small.markdown("$$\n% a LaTeX comment\nz\n$$") == (
        "$$\n% a LaTeX comment\nz\n$$"
    )


@pytest.mark.parametrize(
    "myst, error",
    [
        ("{doc}`nowhere`", "is no page of the book"),
        ("{ref}`nothing`", "no label 'nothing'"),
        ("{eq}`nothing`", "no equation has that label"),
        ("{unknownrole}`x`", "the role {unknownrole} has no Colab form"),
        ("```{figure} x.png\n```", "the directive {figure} has no Colab form"),
        ("![a](x.png)", "is not an absolute URL"),
        ("{{ nothing }}", "no substitution 'nothing'"),
    ],
)
def test_what_cannot_be_resolved_is_a_clear_error(small, myst, error):
    with pytest.raises(EditionError, match=re.escape(error)):
        small.markdown(myst)


# ------------------------------------------------------------- the edition of a build
SITE = built_site()
EDITION = SITE.parent / "colab"


def page_ids(page) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', page.read_text(encoding="utf-8")))


@pytest.mark.site
def test_the_build_wrote_the_edition_of_every_notebook():
    assert EDITION.is_dir(), f"no {EDITION}: build the book first (make build-test)"
    written = sorted(p.relative_to(EDITION).as_posix() for p in EDITION.rglob("*"))
    assert written == sorted(
        ["README.md", "notebooks", *(f"{doc}.ipynb" for doc in DOCNAMES)]
    )
    assert "branch" in (EDITION / "README.md").read_text()


@pytest.mark.site
@pytest.mark.parametrize("docname", DOCNAMES)
def test_the_built_edition(docname):
    path = EDITION / f"{docname}.ipynb"
    nb = nbformat.read(path, as_version=4)
    pinned = re.search(r'COMMIT = "([0-9a-f]+)"', nb.cells[0].source)
    assert pinned and len(pinned[1]) == 40, "the install cell pins a full commit hash"
    assert nb.cells[0].source == install_cell_source(URL, pinned[1])
    left = [found for md in markdown_of(nb) for found in myst_left(md)]
    assert not left, left
    broken = []
    for target in (t for md in markdown_of(nb) for t in link_targets(md)):
        if not target.startswith(BASE):
            assert urlsplit(target).scheme, f"not an absolute URL: {target}"
            continue
        page, _, anchor = target[len(BASE) :].partition("#")
        page = page or "index.html"  # the book's address: its home page
        if not (SITE / page).is_file():
            broken.append(f"{target}: no page {page} in {SITE}")
        elif anchor and anchor not in page_ids(SITE / page):
            broken.append(f"{target}: no anchor #{anchor} on {page}")
    assert not broken, broken
    glued = [md for md in markdown_of(nb) if NOT_FOUND in md]
    assert not glued, f"values the build computed but the edition lacks: {glued}"
    download = SITE / "_sources" / f"{docname}.ipynb"
    assert download.read_bytes() == path.read_bytes(), "the page's download"


@pytest.mark.site
def test_the_colab_buttons_open_the_edition():
    page = (SITE / "notebooks" / "bptt.html").read_text(encoding="utf-8")
    owner_repo = urlsplit(URL).path.strip("/")
    expected = f"/github/{owner_repo}/blob/colab/notebooks/bptt.ipynb"
    assert expected in page and f"/github/{owner_repo}/blob/main/" not in page


def test_the_edition_is_json_colab_reads(edition):
    nb = edition["notebooks/bptt"]
    assert json.loads(json.dumps(nb))["nbformat"] == 4
    assert nb.metadata["accelerator"] == "GPU" and "mystnb" not in nb.metadata
