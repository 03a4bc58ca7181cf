"""The exercises (sphinx-exercise) and the student edition (``make student``,
``scripts/build_book.py --student``).

The build tests use a small book in tmp_path, not the whole book: a home page citing
the exercise, a numbered chapter with one exercise and its solution (math, {eq} and a
{glue:text} value in it, as in the book), and the chapter's notebook, whose outputs are
put in the execution cache by hand, as ``make book`` leaves them, with a different text
from what running its code would print. Built both ways with the command
scripts/build_book.py runs, the book shows the exercise numbered per chapter and its
solution collapsed; the student edition shows the exercise and no solution, and reads
the notebook from the book's execution cache (nothing is executed).

The static checks read the book's sources: every exercise labelled ``<page>-ex-...``
and followed by its solution, no exercise number typed in the text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn

from scripts.build_book import (
    build_command,
    output_folder,
    student_config,
    student_config_path,
    student_downloads,
    without_solutions,
)
from scripts.colab_edition import publish
from scripts.toc import notebooks_in_toc

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = "Unrolled, the sum telescopes"  # a phrase of the solution only
EXERCISE = "Sum the series"  # a phrase of the exercise only
GLUE_PREFIX = "application/papermill.record/"
FILES = {
    "_config.yml": """\
title: A small book
only_build_toc_files: true
repository:
  url: https://github.com/example/small
html:
  baseurl: https://example.org/small/
launch_buttons:
  colab_url: https://colab.research.google.com
  colab_branch: colab
exclude_patterns: [_build]
execute:
  execute_notebooks: cache
parse:
  myst_enable_extensions: [amsmath, dollarmath]
sphinx:
  extra_extensions: [sphinx_exercise]
  local_extensions:   # as the book's: a folder relative to the book
    marker: _ext/
  config:
    numfig: true
    math_numfig: true
    numfig_secnum_depth: 1
""",
    "_toc.yml": """\
format: jb-book
root: intro
parts:
  - caption: Chapters
    numbered: true
    chapters:
      - file: series
        sections:
          - file: cached
""",
    # a local extension: the student edition's configuration must still find it
    "_ext/marker.py": """\
def setup(app):
    app.add_config_value("marker", "book", "env")
    return {"parallel_read_safe": True}
""",
    "intro.md": """\
# A small book

Start with {numref}`series-ex-sum`, or {ref}`the exercise on sums <series-ex-sum>`.
""",
    "series.md": f"""\
# Series

$$
s_n = \\sum_{{k=1}}^{{n}} \\frac{{1}}{{k(k+1)}}
$$ (series-sum)

## Exercises

Try it before opening its solution.

````{{exercise}} a telescoping sum
:label: series-ex-sum
{EXERCISE} {{eq}}`series-sum` for every $n$.
````

````{{solution}} series-ex-sum
:class: dropdown
{SOLUTION}: $\\frac{{1}}{{k(k+1)}} = \\frac{{1}}{{k}} - \\frac{{1}}{{k+1}}$, so
$s_n = 1 - \\frac{{1}}{{n+1}}$ {{eq}}`series-sum`; the notebook glued
{{glue:text}}`cached.ipynb::terms:,d` terms.
````
""",
}
GLUED = 271828  # shown as 271,828 only when the glue:text role in the solution works
EXECUTED = 'print("printed when " + "executed")'  # the phrase is not in the source
CACHED = "printed in the cache"
LINK_TO_EXERCISE = "Then try {ref}`the exercise on sums <series-ex-sum>`."


def write_book(root: Path) -> None:
    """The small book, its notebook in the execution cache of root/_build."""
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    glue = f'from myst_nb import glue\n\nglue("terms", {GLUED}, display=False)'
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# A notebook from the cache"),
            nbformat.v4.new_markdown_cell(LINK_TO_EXERCISE),
            nbformat.v4.new_code_cell(glue),
            nbformat.v4.new_code_cell(EXECUTED),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3"},
            "language_info": {"name": "python"},
        },
    )
    path = root / "cached.ipynb"
    nbformat.write(notebook, path)
    notebook.cells[2].outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={f"{GLUE_PREFIX}text/plain": str(GLUED)},
            metadata={"scrapbook": {"name": "terms", "mime_prefix": GLUE_PREFIX}},
        )
    ]
    notebook.cells[3].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=CACHED + "\n")
    ]
    get_cache(str(root / "_build" / ".jupyter_cache")).cache_notebook_bundle(
        CacheBundleIn(notebook, str(path)), check_validity=False, overwrite=True
    )


class Page(HTMLParser):
    """The text of a page's article and the classes of its exercise and solution
    boxes."""

    def __init__(self, html: str):
        super().__init__()
        self.text, self.boxes, self.skip = [], [], 0
        self.feed(html)
        self.text = " ".join("".join(self.text).split())

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if {"exercise", "solution"} & set(classes) and tag == "div":
            self.boxes.append(classes)
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.skip:
            self.text.append(data)


def build(root: Path, student: bool) -> Path:
    """Build the small book as scripts/build_book.py does; returns its html folder."""
    build_dir = root / "_build"
    cmd = build_command(root, build_dir, rebuild_all=True, student=student)
    done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (
        f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}"
    )
    return output_folder(build_dir, student) / "html"


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("student")
    write_book(root)
    return {"book": build(root, False), "student": build(root, True), "root": root}


def page(html: Path, name: str) -> Page:
    return Page((html / f"{name}.html").read_text(encoding="utf-8"))


def test_the_book_numbers_the_exercise_per_chapter_and_collapses_its_solution(both):
    series = page(both["book"], "series")
    assert "Exercise 1.1 (a telescoping sum)" in series.text, series.text
    assert EXERCISE in series.text and SOLUTION in series.text, series.text
    assert "Solution to Exercise 1.1 (a telescoping sum)" in series.text, series.text
    assert "271,828 terms" in series.text, "the glue:text role in the solution"
    assert "(1.1)" in series.text, "the {eq} role in the exercise and the solution"
    exercise, solution = series.boxes
    assert "exercise" in exercise and {"solution", "dropdown"} <= set(solution), (
        f"expected an exercise box, then a collapsed solution; got {series.boxes}"
    )
    intro = page(both["book"], "intro").text
    assert "Start with Exercise 1.1, or the exercise on sums." in intro, intro


def test_the_student_edition_has_the_exercise_and_no_solution(both):
    series = page(both["student"], "series")
    assert "Exercise 1.1 (a telescoping sum)" in series.text, series.text
    assert EXERCISE in series.text and "(1.1)" in series.text, series.text
    assert SOLUTION not in series.text and "Solution" not in series.text, series.text
    assert "271,828" not in series.text, "the solution's glued value is gone too"
    assert [box for box in series.boxes if "solution" in box] == []
    assert "Exercise 1.1" in page(both["student"], "intro").text
    sources = both["student"] / "_sources" / "series.md"
    assert SOLUTION in sources.read_text(), "the page's source is the book's"


def test_the_student_edition_reuses_the_books_execution_cache(both):
    for edition in ("book", "student"):
        text = page(both[edition], "cached").text
        assert CACHED in text and "printed when executed" not in text, (
            f"{edition}: expected the notebook's output from the execution cache"
        )
    student_build = both["student"].parent
    assert not (student_build / ".jupyter_cache").exists(), "no cache of its own"
    config = (both["root"] / "_build" / "student" / "_config.yml").read_text()
    assert "hide_solutions: true" in config


def test_the_student_editions_downloads_hold_no_solution(both, tmp_path):
    """After the build, scripts/build_book.py --student takes the solutions out of
    the downloadable sources (html/_sources). Then no file of the edition holds the
    solution's text."""
    html = tmp_path / "html"
    shutil.copytree(both["student"], html)
    assert SOLUTION in (html / "_sources" / "series.md").read_text(), (
        "the test is void: the build's source copy holds no solution to leave out"
    )
    assert student_downloads(html) == ["_sources/series.md"]
    leaks = [
        path.relative_to(html).as_posix()
        for path in html.rglob("*")
        if path.is_file() and SOLUTION.encode() in path.read_bytes()
    ]
    assert leaks == [], f"the solution's text is still in {leaks}"
    assert EXERCISE in (html / "_sources" / "series.md").read_text()


def test_each_editions_colab_notebooks_link_to_its_own_pages(both):
    """The book's Colab edition links to the book; the student edition's, published on
    a branch of its own, to the student edition's pages, where no solution is a
    click away. Each is its pages' notebook download."""
    root, build_dir = both["root"], both["root"] / "_build"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "small"]):
        subprocess.run(git + command, cwd=root, check=True, capture_output=True)
    editions = {
        "book": (publish(root, build_dir), "https://example.org/small/", "colab"),
        "student": (
            publish(
                root,
                build_dir,
                student_config_path(build_dir),
                output_folder(build_dir, student=True),
            ),
            "https://example.org/small/student/",
            "colab-student",
        ),
    }
    for name, (written, site, branch) in editions.items():
        assert [path.name for path in written] == ["cached.ipynb"], written
        cells = nbformat.read(written[0], as_version=4).cells
        link = f"[the exercise on sums]({site}series.html#series-ex-sum)"
        assert any(link in cell.source for cell in cells), (
            f"{name}: expected {link} in {[cell.source for cell in cells]}"
        )
        readme = (written[0].parent / "README.md").read_text()
        assert f"/example/small/blob/{branch}/cached.ipynb" in readme, readme
        download = both[name] / "_sources" / "cached.ipynb"
        assert download.read_text() == written[0].read_text(), f"{name}: download"


def test_without_solutions_leaves_out_each_solution_block_whole():
    text = (
        "before\n````{solution} a-ex-b\n:class: dropdown\n```python\nx = 1\n```\n"
        "````\nbetween\n:::{solution} a-ex-c\nshort\n:::\nafter\n"
    )
    assert without_solutions(text, "t.md") == "before\nbetween\nafter\n"
    with pytest.raises(ValueError, match=r"t\.md, line 2: a solution opened by ````"):
        without_solutions("text\n````{solution} a-ex-b\nnever closed\n", "t.md")


def test_the_student_config_changes_only_the_solutions_cache_and_address(tmp_path):
    import yaml

    (tmp_path / "_config.yml").write_text((ROOT / "_config.yml").read_text())
    build_dir = tmp_path / "_build"
    written = yaml.safe_load(student_config(tmp_path, build_dir).read_text())
    book = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert written["sphinx"]["config"].pop("hide_solutions") is True
    # its own Colab edition, whose links stay in the student edition
    branch = book["launch_buttons"].pop("colab_branch")
    assert written["launch_buttons"].pop("colab_branch") == f"{branch}-student"
    assert written["execute"].pop("cache") == str(build_dir / ".jupyter_cache")
    # published in the folder student/ of the book's site
    baseurl = book["html"]["baseurl"]
    assert written["html"].pop("baseurl") == baseurl.rstrip("/") + "/student/"
    book["html"].pop("baseurl")
    # jupyter-book finds a local extension relative to the configuration file
    extensions = book["sphinx"]["local_extensions"]
    assert written["sphinx"].pop("local_extensions") == {
        name: str((tmp_path / folder).resolve()) for name, folder in extensions.items()
    }
    book["sphinx"].pop("local_extensions")
    assert written == book, "everything else as in the book's _config.yml"


# --- the book's exercises, read from its sources -------------------------------------

DIRECTIVE = re.compile(r"^(`{3,}|:{3,})\{(?P<name>[\w-]+)\}(?P<args>.*)$", re.M)
PAGES = sorted((ROOT / "book").glob("*.md"))
KINDS = ("exercise", "solution")
PATTERN = "<page>-ex-<slug>"
LABEL_DEFINED = (
    r"^\s*\(\S+\)=\s*$|^:(name|label):|\$\$\s*\(\S+\)"  # (x)=, :name:, $$ (x)
)


def blocks(text: str) -> list[tuple[str, str, list[str]]]:
    """(directive, argument, body lines) of every top-level fenced directive."""
    found, lines, k = [], text.splitlines(), 0
    while k < len(lines):
        m = DIRECTIVE.match(lines[k])
        if not m:
            k += 1
            continue
        fence = m[1]
        end = next(j for j in range(k + 1, len(lines)) if lines[j] == fence)
        found.append((m["name"], m["args"].strip(), lines[k + 1 : end]))
        k = end + 1
    return found


def option(body: list[str], name: str) -> str | None:
    return next(
        (
            line.split(":", 2)[2].strip()
            for line in body
            if line.startswith(f":{name}:")
        ),
        None,
    )


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_every_exercise_is_labelled_and_followed_by_its_solution(path):
    found = blocks(path.read_text(encoding="utf-8"))
    problems = [
        f"an exercise as an admonition: {args}"
        for name, args, _ in found
        if name == "admonition" and re.match(r"(Exercise|Answer)\b", args)
    ]
    # exercise, solution, exercise, solution, ...: each solution names the exercise
    # before it
    pairs = [(name, args, body) for name, args, body in found if name in KINDS]
    for k, (name, args, body) in enumerate(pairs):
        if name != KINDS[k % 2]:
            problems.append(f"{name} {args}: expected each exercise, then its solution")
        elif name == "exercise":
            label = option(body, "label") or ""
            if not args:
                problems.append(f"exercise {label}: no title")
            if not re.fullmatch(rf"{re.escape(path.stem)}-ex-[a-z0-9-]+", label):
                problems.append(f"exercise {args}: label {label!r} is not {PATTERN}")
            following = pairs[k + 1][1] if k + 1 < len(pairs) else None
            if following != label:
                problems.append(
                    f"exercise {label}: followed by the solution to {following}"
                )
        else:
            if option(body, "class") != "dropdown":
                problems.append(f"solution to {args}: not collapsed (:class: dropdown)")
            # the student edition drops the solutions: nothing may point into one
            if re.search(LABEL_DEFINED, "\n".join(body), re.M):
                problems.append(f"solution to {args}: defines a label")
    assert problems == []


def test_no_exercise_number_is_typed():
    """Exercises are cited by label ({numref} on pages, {ref} with a title in
    notebooks), never by a number written out."""
    typed = re.compile(r"\bExercises? \d+(\.\d+)?")
    sources = {path.name: path.read_text(encoding="utf-8") for path in PAGES}
    for notebook in notebooks_in_toc(ROOT):
        cells = nbformat.read(notebook, as_version=4).cells
        sources[notebook.name] = "\n".join(
            cell.source for cell in cells if cell.cell_type == "markdown"
        )
    hits = [
        f"{name}: {m.group(0)}"
        for name, text in sources.items()
        for m in typed.finditer(text)
    ]
    assert hits == []
