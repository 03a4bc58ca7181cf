"""The book's Sphinx extension (assets/book_html.py): what the home page says about the
copy it is part of (version, commit, size, how to cite) and the footer's links."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess

import pytest

from scripts.notebooks import ROOT

spec = importlib.util.spec_from_file_location(
    "book_html", ROOT / "assets" / "book_html.py"
)
book_html = importlib.util.module_from_spec(spec)
spec.loader.exec_module(book_html)

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is missing")

CITATION = """\
cff-version: 1.2.0
title: "A Book"
authors:
  - name: "The Authors"
  - family-names: Lovelace
    given-names: Ada
version: 9.8.7
date-released: 2031-05-06
repository-code: "https://example.org/repo"
url: "https://example.org/book/"
license: MIT
"""


@pytest.fixture
def source(tmp_path, monkeypatch):
    """A book's source folder, tmp_path/book: lib/__init__.py with a version and a
    CITATION.cff. git reads no user's settings and never looks above tmp_path."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    root = tmp_path / "book"
    (root / "lib").mkdir(parents=True)
    (root / "lib" / "__init__.py").write_text(
        '"""A lib."""\n\nimport os\n\n__version__ = "1.2.3"\n'
    )
    (root / "CITATION.cff").write_text(CITATION)
    return root


def git(root, *args) -> str:
    done = subprocess.run(
        [
            "git",
            "-C",
            str(root),
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@x.org",
            *args,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def committed(root):
    git(root, "init", "--quiet")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "first")
    return git(root, "rev-parse", "--short", "HEAD")


def test_version_is_read_from_lib_init(source):
    assert book_html.book_version(source) == "1.2.3"


def test_a_lib_without_version_is_a_clear_error(source):
    (source / "lib" / "__init__.py").write_text('"""A lib."""\n')
    with pytest.raises(ValueError, match=r"__init__\.py: no __version__"):
        book_html.book_version(source)


def test_version_of_this_book_is_lib_version():
    import lib

    assert book_html.book_version(ROOT) == lib.__version__


@needs_git
def test_commit_of_a_clean_checkout(source):
    commit = committed(source)
    assert re.fullmatch(r"[0-9a-f]{7,}", commit)
    assert book_html.book_commit(source) == commit


@needs_git
def test_a_changed_tracked_file_is_a_local_change(source):
    commit = committed(source)
    (source / "CITATION.cff").write_text(CITATION + "# edited\n")
    assert book_html.book_commit(source) == f"{commit} + local changes"


@needs_git
def test_a_new_file_nobody_added_is_not_a_local_change(source):
    """As ``git describe --dirty`` counts: only tracked files."""
    commit = committed(source)
    (source / "notes.txt").write_text("scratch")
    assert book_html.book_commit(source) == commit


def test_commit_outside_git_is_unknown(source):
    assert book_html.book_commit(source) == "unknown"


@needs_git
def test_commit_of_a_folder_inside_another_repository_is_unknown(source):
    """A copy of the book unpacked inside some other checkout is not that commit."""
    committed(source.parent)
    assert book_html.book_commit(source) == "unknown"


def test_commit_without_git_is_unknown(source, monkeypatch):
    monkeypatch.setenv("PATH", str(source))  # a PATH with no git on it
    assert book_html.book_commit(source) == "unknown"


def test_bibtex_entry_from_citation_cff(source):
    block = book_html.citation_bibtex(source, "1.2.3")
    lines = block.splitlines()
    assert lines[0] == "```bibtex" and lines[-1] == "```"
    assert lines[1] == "@misc{rnn-gnn-book,"
    fields = dict(
        re.fullmatch(r"  (\w+) *= \{(.*)\},", line).groups() for line in lines[2:-2]
    )
    assert fields == {
        "author": "{The Authors} and Lovelace, Ada",
        "title": "A Book",
        "year": "2031",
        "version": "1.2.3",
        "url": "https://example.org/book/",
        "note": r"Version 1.2.3. Source: \url{https://example.org/repo}",
    }


@needs_git
def test_substitutions_say_what_this_copy_was_built_from(source):
    commit = committed(source)
    values = book_html.build_substitutions(source, {"BOOK_SIZE": "smoke"})
    assert values["book_version"] == "1.2.3"
    assert values["book_commit"] == commit
    assert values["book_size"] == "smoke"
    assert "version = {1.2.3}" in values["book_bibtex"]
    assert book_html.build_substitutions(source, {})["book_size"] == "book"


def test_home_page_uses_every_substitution():
    intro = (ROOT / "book" / "intro.md").read_text()
    assert (
        "This copy: version {{ book_version }}, commit {{ book_commit }}, "
        "built at size {{ book_size }}." in intro
    )
    assert re.search(r"^\{\{ book_bibtex \}\}$", intro, flags=re.M), (
        "the BibTeX block must stand on its own line (a block substitution)"
    )


def test_the_timings_live_on_the_page_on_reproducing_the_book():
    """The home page is for a student; the sizes, the seeds, the notebooks' times and
    the build commands are on book/reproducing.md, in the back matter, linked from
    it."""
    page = (ROOT / "book" / "reproducing.md").read_text()
    for directive in ("timings-table", "nb-exec-table"):
        assert re.search(rf"^```\{{{directive}\}}$", page, flags=re.M), (
            f"book/reproducing.md should show the {directive} directive"
        )
    for switch in ("BOOK_SIZE", "BOOK_SEED_OFFSET", "make book", "make student"):
        assert switch in page, f"book/reproducing.md should explain {switch}"
    intro = (ROOT / "book" / "intro.md").read_text()
    assert "timings-table" not in intro and "nb-exec-table" not in intro
    assert re.search(r"\{doc\}`(?:[^`]*<)?reproducing>?`", intro), (
        "the home page should link {doc}`reproducing`"
    )
    assert re.search(
        r"^\s+- file: book/reproducing$", (ROOT / "_toc.yml").read_text(), re.M
    )


def test_footer_links_are_filled_in_from_the_repository():
    options = {
        "repository_url": "https://example.org/repo",
        "repository_branch": "main",
        "extra_footer": '<a href="{repository_url}/blob/{repository_branch}/LICENSE">',
    }
    book_html.fill_footer(options)
    assert options["extra_footer"] == (
        '<a href="https://example.org/repo/blob/main/LICENSE">'
    )


def test_footer_without_placeholders_is_left_alone():
    options = {"extra_footer": "<p>{not a placeholder}</p>"}
    book_html.fill_footer(options)
    assert options == {"extra_footer": "<p>{not a placeholder}</p>"}
    empty = {}
    book_html.fill_footer(empty)
    assert empty == {}


def test_footer_placeholder_without_repository_is_a_clear_error():
    options = {"extra_footer": "{repository_url}/LICENSE"}
    with pytest.raises(ValueError, match=r"sets no repository\.url"):
        book_html.fill_footer(options)


def test_the_colab_button_opens_the_edition():
    """The theme's Colab button opens the source on the book's branch; the hook moves
    it to the edition's branch and leaves every other button alone."""
    from types import SimpleNamespace

    options = {
        "repository_url": "https://github.com/o/r",
        "repository_branch": "main",
        "launch_buttons": {"colab_branch": "colab"},
    }
    app = SimpleNamespace(config=SimpleNamespace(html_theme_options=options))
    colab = {
        "text": "Colab",
        "url": "https://colab.research.google.com/github/o/r/blob/main/notebooks/bptt.ipynb",
    }
    binder = {"text": "Binder", "url": "https://mybinder.org/v2/gh/o/r/main"}
    context = {"header_buttons": [{"buttons": [binder, colab]}, {"type": "link"}]}
    book_html.point_colab_button_at_edition(
        app, "notebooks/bptt", "page", context, None
    )
    assert colab["url"] == (
        "https://colab.research.google.com/github/o/r/blob/colab/notebooks/bptt.ipynb"
    )
    assert binder["url"] == "https://mybinder.org/v2/gh/o/r/main"
    options[
        "launch_buttons"
    ] = {}  # no edition branch: the button stays as the theme made it
    colab["url"] = "https://colab.research.google.com/github/o/r/blob/main/x.ipynb"
    book_html.point_colab_button_at_edition(app, "x", "page", context, None)
    assert colab["url"].endswith("/blob/main/x.ipynb")
