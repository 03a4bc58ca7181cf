"""A Sphinx extension of the book for ``make pdf``: the ``singlehtml`` builder renders
every node that the ``html`` builder renders.

Sphinx looks up a custom node's handlers under the builder's name, and falls back to its
format (``html``) only when no extension registered any handler under that name.
sphinx-exercise registers its nodes for ``singlehtml`` by name, which hides from that
builder the handlers other extensions registered for ``html`` only (MyST-NB's collapsed
code cells, ``hide-input``), and the single-page build fails on them. This copies the
missing ones over when the ``singlehtml`` builder starts.
"""

from __future__ import annotations


def share_html_handlers(app) -> None:
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    if "singlehtml" in handlers:
        for node, visitors in handlers.get("html", {}).items():
            handlers["singlehtml"].setdefault(node, visitors)


def setup(app):
    app.connect("builder-inited", share_html_handlers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
