"""``{glue-figure} ../notebooks/NB.ipynb::key``: a numbered figure on one page whose
image a notebook glued (``glue("key", fig, display=False)``).

MyST-NB 1.4's own ``{glue:figure}`` only finds keys glued in the page's own
notebook; its cross-document glue (``{glue:any}`` with ``:doc:``) makes no figure
node (no number, no caption, no alt text) and links an image file that exists only
if the notebook also displayed it. This directive makes the figure node at read time
(so that Sphinx numbers it and ``{numref}`` finds it), and a post-transform fills in
the image at write time from the notebook's glue cache, writing the PNG itself.
"""

from __future__ import annotations

import hashlib
from binascii import a2b_base64
from pathlib import Path
from typing import ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from myst_nb.ext.glue.crossref import read_glue_cache
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

LOGGER = logging.getLogger(__name__)


class glue_image(nodes.General, nodes.Element):
    """Where the glued image goes: ``refdoc``, ``key``, ``alt``."""


class GlueFigureDirective(SphinxDirective):
    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec: ClassVar[dict] = {
        "name": directives.unchanged,
        "alt": directives.unchanged,
        "width": directives.unchanged,
        "figwidth": directives.unchanged,
        "align": lambda a: directives.choice(a, ("left", "center", "right")),
    }

    def run(self):
        doc, sep, key = self.arguments[0].partition("::")
        if not sep:
            raise self.error("glue-figure needs NOTEBOOK::KEY")
        _, path = self.env.relfn2path(doc, self.env.docname)
        refdoc = self.env.path2doc(path)
        if refdoc is None:
            raise self.error(f"glue-figure: no document {doc!r}")
        self.env.note_dependency(path)  # re-read this page when the notebook changes
        image = glue_image(refdoc=refdoc, key=key, alt=self.options.get("alt", ""))
        image["width"] = self.options.get("width")
        figure = nodes.figure("", image)
        self.set_source_info(figure)
        if "figwidth" in self.options:
            figure["width"] = self.options["figwidth"]
        if "align" in self.options:
            figure["align"] = self.options["align"]
        self.add_name(figure)
        if self.content:
            parsed = nodes.Element()
            self.state.nested_parse(self.content, self.content_offset, parsed)
            first = parsed[0]
            if not isinstance(first, nodes.paragraph):
                raise self.error("glue-figure: the caption must be a paragraph")
            figure += nodes.caption(first.rawsource, "", *first.children)
            if len(parsed) > 1:
                figure += nodes.legend("", *parsed[1:])
        return [figure]


class FillGlueImages(SphinxPostTransform):
    default_priority = 5

    def run(self, **kwargs):
        builder = self.app.builder
        cache = self.env.mystnb_config.output_folder
        for node in list(self.document.findall(glue_image)):
            data = read_glue_cache(cache, node["refdoc"]).get(node["key"])
            png = (data or {}).get("data", {}).get("image/png")
            if png is None:
                LOGGER.warning(
                    f"glue-figure: no image/png glued as {node['key']!r} in "
                    f"{node['refdoc']!r}",
                    location=node,
                )
                node.parent.remove(node)
                continue
            raw = a2b_base64(png)
            name = hashlib.sha256(raw).hexdigest() + ".png"
            target = Path(builder.outdir) / builder.imagedir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.write_bytes(raw)
            # singlehtml joins every page into one, written as if at the top folder
            one_page = builder.name == "singlehtml"
            depth = 0 if one_page else len(Path(self.env.docname).parts) - 1
            uri = "/".join([".."] * depth + [builder.imagedir, name])
            image = nodes.image(uri=uri, alt=node["alt"], candidates={"*": uri})
            if node.get("width"):
                image["width"] = node["width"]
            node.replace_self(image)


def setup(app):
    app.add_node(glue_image)
    app.add_directive("glue-figure", GlueFigureDirective)
    app.add_post_transform(FillGlueImages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
