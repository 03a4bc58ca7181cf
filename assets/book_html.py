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
* ``{timings-table}`` renders book/timings.json, and ``{{ book_size }}`` names the size
  of the build (both used on the home page).
* pydata-sphinx-theme logs "Got invalid theme mode" on a reader's first visit (empty
  localStorage); we start such readers in light mode, which the figures are drawn for.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

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


def add_build_substitutions(app, config):
    """``{{ book_size }}`` in any page: the experiment size this build executed the
    notebooks at."""
    config.myst_substitutions = {
        **config.myst_substitutions,
        "book_size": os.environ.get("BOOK_SIZE", "book"),
    }


def setup(app):
    app.add_directive("timings-table", TimingsTableDirective)
    app.connect("config-inited", add_build_substitutions)
    app.add_js_file(None, body=FIRST_VISIT_MODE, priority=1)
    app.connect("html-page-context", clean_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
