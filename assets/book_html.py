"""A small Sphinx extension that keeps the built pages clean and offline.

* jupyter-book 1.x registers some inline scripts twice (togglebutton's settings and
  sphinx-thebe's ``const THEBE_JS_URL``); the second ``const`` is a console error. We keep
  the first copy of every script.
* Thebe (live code through Binder) is not used by this book and would load from unpkg.com, a
  CDN: its scripts are dropped.
* The widget manager (loaded through require.js) finds its fonts relative to require.js's
  base URL, which defaults to the page's folder; on pages with widgets we point it at
  _static/, where scripts/vendor_assets.sh puts them.
* pydata-sphinx-theme logs "Got invalid theme mode" on a reader's first visit (empty
  localStorage); we start such readers in light mode, which the figures are drawn for.
"""

from __future__ import annotations

FIRST_VISIT_MODE = ('if (!document.documentElement.dataset.mode) {'
                    ' document.documentElement.dataset.mode = "light";'
                    ' document.documentElement.dataset.theme = "light"; }')


def _filename_and_body(script) -> tuple[str, str]:
    return getattr(script, "filename", None) or "", getattr(script, "attributes", {}).get("body", "")


def _is_thebe(script) -> bool:
    filename, body = _filename_and_body(script)
    return "THEBE_JS_URL" in body or "sphinx-thebe" in filename


REQUIRE_BASE_URL = ('var require = {baseUrl: '
                    '(document.documentElement.dataset.content_root || "") + "_static/"};')


def clean_scripts(app, pagename, templatename, context, doctree):
    seen, kept = set(), []
    for script in context.get("script_files", []):
        key = _filename_and_body(script)
        if key in seen or _is_thebe(script):
            continue
        seen.add(key)
        if key[0].endswith("require.min.js"):
            kept.append(type(script)(None, body=REQUIRE_BASE_URL))
        kept.append(script)
    context["script_files"][:] = kept


def setup(app):
    app.add_js_file(None, body=FIRST_VISIT_MODE, priority=1)
    app.connect("html-page-context", clean_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
