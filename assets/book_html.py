"""A small Sphinx extension that keeps the built pages clean and offline.

* jupyter-book 1.x registers some inline scripts twice (togglebutton's settings and
  sphinx-thebe's ``const THEBE_JS_URL``); the second ``const`` is a console error. We
  keep the first copy of every script.
* Thebe (live code through Binder) is not used by this book and would load from
  unpkg.com, a CDN: its scripts are dropped.
* The widget manager (loaded through require.js) finds its fonts relative to
  require.js's base URL, which defaults to the page's folder; on pages with widgets we
  point it at _static/, where scripts/vendor_assets.sh puts them, and we shim the one
  MathJax 2 call it makes (MathJax.Hub.Queue) onto the MathJax 3 the book serves.
* ``{timings-table}`` renders book/timings.json (on book/reproducing.md);
  ``{{ book_size }}``, ``{{ book_version }}`` and ``{{ book_commit }}`` say what this
  copy was built from, and ``{{ book_bibtex }}`` how to cite it (all on the home page).
* The footer (``html.extra_footer`` in _config.yml) may write ``{repository_url}`` and
  ``{repository_branch}``: they are filled in from ``repository`` in _config.yml, the
  one place the repository's URL lives.
* sphinx-exercise 1.2.1 gives the body of every exercise and of every solution the same
  HTML id (``exercise-content``, ``solution-content``), so a page with two exercises
  repeats an id; the body keeps the name as a class instead (nothing links to it).
* pydata-sphinx-theme logs "Got invalid theme mode" on a reader's first visit (empty
  localStorage); we start such readers in light mode, which the figures are drawn for.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import yaml
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

FIRST_VISIT_MODE = (
    "if (!document.documentElement.dataset.mode) {"
    ' document.documentElement.dataset.mode = "light";'
    ' document.documentElement.dataset.theme = "light"; }'
)


def _filename_and_body(script) -> tuple[str, str]:
    return getattr(script, "filename", None) or "", getattr(
        script, "attributes", {}
    ).get("body", "")


def _is_thebe(script) -> bool:
    filename, body = _filename_and_body(script)
    return "THEBE_JS_URL" in body or "sphinx-thebe" in filename


REQUIRE_BASE_URL = (
    "var require = {baseUrl: "
    '(document.documentElement.dataset.content_root || "") + "_static/"};'
)
# The widget manager (html-manager 1.x) typesets widget labels with MathJax 2's
# MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]) whenever window.MathJax exists;
# the book serves MathJax 3, which has no Hub. Before the widgets render (on "load"),
# give it a Hub whose Queue forwards to MathJax 3's typesetPromise.
MATHJAX2_HUB_SHIM = (
    'window.addEventListener("load", function () {\n'
    "  if (window.MathJax && !window.MathJax.Hub) {\n"
    "    window.MathJax.Hub = {Queue: function (job) {\n"
    '      if (Array.isArray(job) && job[0] === "Typeset" '
    "&& window.MathJax.typesetPromise)\n"
    "        window.MathJax.typesetPromise([job[2]])"
    ".catch(function (e) { console.error(e); });\n"
    "    }};\n"
    "  }\n"
    "});"
)


def clean_scripts(app, pagename, templatename, context, doctree):
    seen, kept = set(), []
    for script in context.get("script_files", []):
        key = _filename_and_body(script)
        if key in seen or _is_thebe(script):
            continue
        seen.add(key)
        if key[0].endswith("require.min.js"):
            kept.append(type(script)(None, body=REQUIRE_BASE_URL))
            kept.append(type(script)(None, body=MATHJAX2_HUB_SHIM))
        kept.append(script)
    context["script_files"][:] = kept


SIZES = ("smoke", "book", "full")


def _duration(seconds) -> str:
    if seconds is None:
        return "not measured"
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _notebook_title(app, name: str) -> str:
    path = Path(app.srcdir) / f"{name}.ipynb"
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for line in "".join(cell["source"]).splitlines():
            if cell["cell_type"] == "markdown" and line.startswith("# "):
                return line[2:].strip()
    return name


class TimingsTableDirective(SphinxDirective):
    """``{timings-table}``: the recorded execution time of every notebook at every size,
    read from book/timings.json (written by scripts/time_notebooks.py, never by
    hand)."""

    def run(self):
        path = Path(self.env.srcdir) / "book" / "timings.json"
        self.env.note_dependency(str(path))
        record = json.loads(path.read_text()) if path.is_file() else {}
        columns = [
            (device, size)
            for device in record
            for size in SIZES
            if size in record[device]
        ] or [("2-core CPU", size) for size in SIZES]
        names = sorted(
            {
                n
                for device in record.values()
                for size in SIZES
                for n in device.get(size, {})
            }
        )
        lines = [
            "| notebook | "
            + " | ".join(f"{size} ({device})" for device, size in columns)
            + " |",
            "|---|" + "---|" * len(columns),
        ]
        for name in names:
            cells = [_duration(record[d].get(s, {}).get(name)) for d, s in columns]
            lines.append(
                f"| [{_notebook_title(self.env.app, name)}](/{name}) | "
                + " | ".join(cells)
                + " |"
            )
        totals = [
            sum(record[d].get(s, {}).values()) if record.get(d, {}).get(s) else None
            for d, s in columns
        ]
        lines.append(
            "| **all notebooks, one after another** | "
            + " | ".join(f"**{_duration(t)}**" if t else "" for t in totals)
            + " |"
        )
        dates = [
            f"{size} on {device}: {record[device].get(f'{size} measured on')} "
            f"({record[device]['machine']})"
            for device, size in columns
            if device in record
        ]
        container = nodes.container()
        self.state.nested_parse(
            StringList(
                lines + ["", "Measured " + "; ".join(dates) + "." if dates else ""]
            ),
            self.content_offset,
            container,
        )
        return container.children


def book_version(root: Path) -> str:
    """``lib.__version__`` of the source at ``root``, read from lib/__init__.py as
    setuptools reads it (pyproject.toml), not from whichever lib is installed."""
    path = root / "lib" / "__init__.py"
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__version__"
            for target in node.targets
        ):
            return str(ast.literal_eval(node.value))
    raise ValueError(f'{path}: no __version__ = "X.Y.Z" line')


def _git(root: Path, *args: str) -> str:
    """git's output in ``root``; optional locks off, so a build never holds the index
    lock while someone commits."""
    done = subprocess.run(
        ["git", "--no-optional-locks", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


def book_commit(root: Path) -> str:
    """The short commit the checkout at ``root`` is on, with " + local changes" when
    tracked files differ from it (what ``git describe --dirty`` counts: new files
    nobody added are not changes), or "unknown" when ``root`` is not the top of a git
    checkout (a tarball, git missing)."""
    try:
        top = Path(_git(root, "rev-parse", "--show-toplevel"))
        if top.resolve() != root.resolve():
            return "unknown"  # root is a folder inside some other repository
        commit = _git(root, "rev-parse", "--short", "HEAD")
        changed = _git(root, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{commit} + local changes" if changed else commit


def citation_bibtex(root: Path, version: str) -> str:
    """A fenced BibTeX block for this version, from CITATION.cff (title, authors,
    date, url and repository): the page and GitHub's "Cite this repository" agree."""
    cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    authors = " and ".join(
        "{" + author["name"] + "}"
        if "name" in author
        else f"{author['family-names']}, {author['given-names']}"
        for author in cff["authors"]
    )
    fields = {
        "author": authors,
        "title": cff["title"],
        "year": str(cff["date-released"])[:4],
        "version": version,
        "url": cff["url"],
        "note": f"Version {version}. Source: \\url{{{cff['repository-code']}}}",
    }
    width = max(map(len, fields))
    lines = [f"  {key:<{width}} = {{{value}}}," for key, value in fields.items()]
    return "\n".join(["```bibtex", "@misc{rnn-gnn-book,", *lines, "}", "```"])


def build_substitutions(root: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """What the home page says about this copy: the experiment size the notebooks ran
    at (``BOOK_SIZE``), lib's version, the commit, and the BibTeX to cite it."""
    version = book_version(root)
    return {
        "book_size": environ.get("BOOK_SIZE", "book"),
        "book_version": version,
        "book_commit": book_commit(root),
        "book_bibtex": citation_bibtex(root, version),
    }


def fill_footer(theme_options: dict) -> None:
    """``{repository_url}`` and ``{repository_branch}`` in the footer, filled in."""
    footer = theme_options.get("extra_footer") or ""
    for key in ("repository_url", "repository_branch"):
        placeholder = "{" + key + "}"
        if placeholder not in footer:
            continue
        if key not in theme_options:
            raise ValueError(
                f"the footer (html.extra_footer) uses {placeholder}, but _config.yml "
                f"sets no repository.{key.removeprefix('repository_')}"
            )
        footer = footer.replace(placeholder, theme_options[key])
    if footer:
        theme_options["extra_footer"] = footer


def add_build_substitutions(app, config):
    """``{{ book_size }}``, ``{{ book_version }}``, ``{{ book_commit }}`` and
    ``{{ book_bibtex }}`` in any page (see :func:`build_substitutions`); the footer's
    repository links."""
    config.myst_substitutions = {
        **config.myst_substitutions,
        **build_substitutions(Path(app.srcdir), os.environ),
    }
    fill_footer(config.html_theme_options)


def point_colab_button_at_edition(app, pagename, templatename, context, doctree):
    """The Colab button of a notebook page opens the notebook's Colab edition
    (scripts/colab_edition.py: plain Markdown, a visible install cell), published on the
    branch ``launch_buttons.colab_branch`` of _config.yml, instead of the MyST source on
    the book's branch. Runs after sphinx-book-theme has made the buttons (priority
    above its 501)."""
    options = app.config.html_theme_options
    edition = (options.get("launch_buttons") or {}).get("colab_branch")
    source = f"/blob/{options.get('repository_branch') or 'main'}/"
    if not edition:
        return
    for group in context.get("header_buttons", []):
        for button in group.get("buttons") or []:
            url = button.get("url") or ""
            if button.get("text") == "Colab" and source in url:
                button["url"] = url.replace(source, f"/blob/{edition}/", 1)


EXERCISE_BODY_IDS = ("exercise-content", "solution-content")  # sphinx-exercise's


def exercise_bodies_without_ids(app, doctree: nodes.document, docname: str) -> None:
    """Turn sphinx-exercise's fixed ids of exercise and solution bodies into classes:
    an id must be unique on its page."""
    for section in doctree.findall(nodes.section):
        for name in EXERCISE_BODY_IDS:
            if name in section["ids"]:
                section["ids"].remove(name)
                section["classes"].append(name)


def setup(app):
    app.add_directive("timings-table", TimingsTableDirective)
    app.connect("config-inited", add_build_substitutions)
    app.connect("doctree-resolved", exercise_bodies_without_ids)
    app.add_js_file(None, body=FIRST_VISIT_MODE, priority=1)
    app.connect("html-page-context", clean_scripts, priority=900)
    app.connect("html-page-context", point_colab_button_at_edition, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
