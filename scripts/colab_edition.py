"""The Colab edition of the book's notebooks, written after a good build.

    python scripts/colab_edition.py [--out DIR]   # the build in DIR/_build (default .)

Colab shows a notebook's Markdown as CommonMark with MathJax: the MyST of the source
notebooks (``{doc}``, ``{eq}``, ``{glue:text}`` roles, ``(label)=`` lines, directive
fences) would show as raw text. scripts/build_book.py calls :func:`publish` at the end
of a good build; for every notebook of _toc.yml it writes
``_build/colab/notebooks/NAME.ipynb``, with

* every cross-reference a Markdown link to the published page (``html.baseurl`` in
  _config.yml, the page, ``#anchor``) showing the title or number the book shows, read
  from the Sphinx build environment (``_build/.doctrees/environment.pickle``): nothing
  is typed by hand;
* ``{glue}`` roles replaced by the values the build computed (the executed notebook in
  the execution cache), ``{cite}`` by "(Author, year)" linked to the bibliography;
* ``(label)=`` lines removed, directives turned into blockquotes with a bold title;
* the hidden set-up cell replaced by a visible one that installs ``lib`` pinned to the
  commit the book was built from (:func:`install_cell_source`).

:func:`publish` also makes each notebook page's download button serve the edition: it
overwrites the page's copy of its source, ``_build/html/_sources/notebooks/NAME.ipynb``.
A GitHub workflow publishes ``_build/colab`` (with its README.md) as the branch named
by ``launch_buttons.colab_branch`` in _config.yml; the book's Sphinx extension
(assets/book_html.py, ``point_colab_button_at_edition``) points each notebook page's
Colab button there.

:meth:`BookIndex.from_sources` reads the labels, titles and equations from the sources
instead of a build, numbering equations in source order: the tests use it to convert
every notebook without building the book.
"""

from __future__ import annotations

import argparse
import copy
import json
import pickle
import posixpath
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml
from docutils.nodes import make_id

if __package__:  # imported as scripts.colab_edition (the tests, build_book)
    from .notebooks import COLAB_TAG
    from .toc import toc_files
else:  # run as `python scripts/colab_edition.py`: scripts/ is sys.path[0]
    from toc import toc_files

    from notebooks import COLAB_TAG

ROOT = Path(__file__).resolve().parents[1]
EDITION_FOLDER = "colab"  # under _build
INSTALL_CELL_ID = "colab-install"
NOT_FOUND = "(see the output above)"  # a glued value the build did not record
ADMONITIONS = {
    "admonition": "",  # its title is its argument
    "attention": "Attention",
    "caution": "Caution",
    "danger": "Danger",
    "error": "Error",
    "hint": "Hint",
    "important": "Important",
    "note": "Note",
    "seealso": "See also",
    "tip": "Tip",
    "warning": "Warning",
    "dropdown": "",
    "sidebar": "",
    "topic": "",
    "margin": "",
}
CODE_DIRECTIVES = {"code", "code-block", "sourcecode", "code-cell"}
# directives whose content a blockquote cannot carry (files, pictures, other pages)
NO_COLAB_FORM = {
    "figure",
    "image",
    "include",
    "literalinclude",
    "raw",
    "eval-rst",
    "toctree",
    "tableofcontents",
    "bibliography",
}
PARENTHETICAL_CITES = {"cite", "cite:p", "cite:ps", "cite:c"}
TEXTUAL_CITES = {"cite:t", "cite:ts", "cite:ct"}


class EditionError(ValueError):
    """MyST the edition cannot turn into plain Markdown (a new role or directive, a
    reference to nothing)."""


# --- the install cell --------------------------------------------------------------


def install_cell_source(repository_url: str, ref: str) -> str:
    """The first cell of every notebook of the edition: on Colab, ``pip install`` of
    ``rnn-gnn-book @ git+<repository_url>@<ref>``, showing pip's output and raising if
    it fails; elsewhere one line saying how to install ``lib`` instead.

    pip's default strategy installs a requirement only when it is missing: with
    pyproject's lower bounds, which Colab satisfies, every package Colab ships stays
    as it is (tests/book/test_colab_env.py checks it).
    """
    return f'''\
# Installs this book's `lib` on Colab, so that the cells below can import it.
# Pinned to the commit the book was built from; pip adds only what Colab lacks (its
# torch, numpy, ipywidgets... stay). For a GPU: Runtime > Change runtime type.
import subprocess
import sys

REPOSITORY = "{repository_url}"
COMMIT = "{ref}"
REQUIREMENT = f"rnn-gnn-book @ git+{{REPOSITORY}}@{{COMMIT}}"

if "google.colab" in sys.modules:
    command = [sys.executable, "-m", "pip", "install", REQUIREMENT]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as pip:
        for line in pip.stdout:  # pip's own output, as it comes
            print(line, end="")
    if pip.returncode != 0:
        raise RuntimeError(
            f"pip could not install {{REQUIREMENT}} (exit status {{pip.returncode}}); "
            "its output above says why"
        )
else:
    print(
        "Not on Colab, so nothing was installed: to run this notebook on your own "
        "machine, clone the repository and run `pip install -e .` in it (README.md)."
    )'''


def install_cell(source: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.id = INSTALL_CELL_ID
    return cell


# --- what the book knows: titles, labels, numbers, glued values ---------------------


@dataclass(frozen=True)
class Target:
    """A place in the published book: a page, an anchor on it, and what the book shows
    for a reference to it (a title, a section name, an equation number)."""

    docname: str
    anchor: str = ""
    text: str = ""


@dataclass
class BookIndex:
    """Everything the resolver needs, by name: the published URL of the book, the
    pages' titles, the labels, the equations, the numbers of figures and sections, the
    glued values of each notebook, the bibliography."""

    base_url: str
    book_title: str
    titles: dict[str, str]  # docname -> title
    labels: dict[str, Target]  # label (lower case) -> its target (text: its name)
    equations: dict[str, Target]  # equation label -> its target (text: "(3)")
    numbers: dict[str, str] = field(default_factory=dict)  # label -> "Fig. 2"
    glue: dict[str, dict[str, dict]] = field(default_factory=dict)  # doc -> key -> data
    citations: dict[str, tuple[list[str], str]] = field(default_factory=dict)
    bibliography: str | None = None  # the docname of the page with the bibliography
    substitutions: dict[str, str] = field(default_factory=dict)

    def url(self, docname: str, anchor: str = "") -> str:
        return f"{self.base_url}{docname}.html" + (f"#{anchor}" if anchor else "")

    @classmethod
    def from_build(
        cls,
        root: Path,
        build: Path,
        config: dict | None = None,
        pages: Path | None = None,
    ) -> BookIndex:
        """The index of a built book: ``build`` is the _build folder (its execution
        cache gives the glued values), ``pages`` the one with the build's Sphinx
        environment (default ``build``; the student edition has its own), ``config``
        the _config.yml built with (default root's; the published URL is read there)."""
        config = book_config(root) if config is None else config
        folders = ((config.get("sphinx") or {}).get("local_extensions") or {}).values()
        env = load_environment(
            (pages or build) / ".doctrees" / "environment.pickle",
            extension_dirs=[root / folder for folder in folders],
        )
        from sphinx.util.nodes import clean_astext

        std = env.domaindata["std"]
        labels = {
            name: Target(doc, anchor, title)
            for name, (doc, anchor, title) in std["labels"].items()
        }
        for name, (doc, anchor) in std["anonlabels"].items():
            labels.setdefault(name, Target(doc, anchor))
        numbers = {}
        for name, target in labels.items():
            number = figure_or_section_number(env, target)
            if number is not None:
                numbers[name] = number
        citations, bibliography = read_bibliography(root, config)
        return cls(
            base_url=site_url(config),
            book_title=config.get("title", "the book"),
            titles={doc: clean_astext(title) for doc, title in env.titles.items()},
            labels=labels,
            equations={
                label: Target(doc, equation_anchor(label), equation_text(env, label))
                for label, (doc, _) in env.domaindata["math"]["objects"].items()
            },
            numbers=numbers,
            glue=executed_glue(root, build),
            citations=citations,
            bibliography=bibliography,
            substitutions=substitutions(config),
        )

    @classmethod
    def from_sources(cls, root: Path) -> BookIndex:
        """An index read from the sources alone, for tests that build nothing: labels
        from ``(label)=`` lines (named by the heading after them), directives'
        ``:name:`` options and exercises' ``:label:`` options, titles from each
        page's first heading, equations numbered (1), (2), ... in the order of each
        page, and no glued values."""
        config = book_config(root)
        titles, labels, equations = {}, {}, {}
        for docname, text in page_sources(root):
            lines = text.splitlines()
            titles[docname] = next(
                (heading_text(line) for line in lines if line.startswith("# ")),
                docname,
            )
            directive = ""  # the last directive opened: whose options these are
            for k, line in enumerate(lines):
                if m := DIRECTIVE_OPEN.match(line):
                    directive = m["name"]
                if m := LABEL_LINE.match(line):
                    after = next((x for x in lines[k + 1 :] if x.strip()), "")
                    name = heading_text(after) if after.startswith("#") else ""
                    anchor = make_id(m["label"])
                    labels[m["label"].lower()] = Target(docname, anchor, name)
                elif m := NAME_OPTION.match(line):  # a figure's or a table's label
                    labels[m["label"].lower()] = Target(docname, make_id(m["label"]))
                elif directive in LABELLED_DIRECTIVES and (
                    m := LABEL_OPTION.match(line)
                ):  # sphinx-exercise makes the label the anchor, as it is
                    labels[m["label"].lower()] = Target(docname, m["label"])
            for number, label in enumerate(equation_labels(lines), start=1):
                equations[label] = Target(
                    docname, equation_anchor(label), f"({number})"
                )
        citations, bibliography = read_bibliography(root, config)
        return cls(
            base_url=site_url(config),
            book_title=config.get("title", "the book"),
            titles=titles,
            labels=labels,
            equations=equations,
            citations=citations,
            bibliography=bibliography,
            substitutions=substitutions(config),
        )


def book_config(root: Path) -> dict:
    return load_config(root / "_config.yml")


def load_config(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def site_url(config: dict) -> str:
    """The book's published URL, ``html.baseurl`` of _config.yml, ending in /."""
    url = (config.get("html") or {}).get("baseurl")
    if not url or not re.match(r"https?://", url):
        raise EditionError(
            "_config.yml: html.baseurl must be the book's published URL "
            f"(https://...), the edition's links start with it; got {url!r}"
        )
    return url.rstrip("/") + "/"


def substitutions(config: dict) -> dict[str, str]:
    found = (config.get("parse") or {}).get("myst_substitutions") or {}
    return {str(key): str(value) for key, value in found.items()}


def load_environment(path: Path, extension_dirs: Sequence[Path] = ()):
    """The Sphinx build environment the build pickled (labels, titles, numbers).

    The pickle refers to the book's local extensions (``_config.yml``'s
    ``sphinx.local_extensions``, e.g. ``assets/glue_figure.py``) by module name, so
    their folders are put on ``sys.path`` while it loads.
    """
    if not path.is_file():
        raise EditionError(f"{path}: no Sphinx environment; build the book first")
    added = [str(d) for d in extension_dirs if str(d) not in sys.path]
    sys.path[:0] = added
    try:
        with path.open("rb") as file:
            return pickle.load(file)
    finally:
        for folder in added:
            sys.path.remove(folder)


def equation_anchor(label: str) -> str:
    """The HTML id Sphinx gives a labelled equation."""
    return make_id(f"equation-{label}")


def equation_text(env, label: str) -> str:
    """What an ``{eq}`` reference shows in the book, "(14)": the rule of Sphinx's math
    domain (MathDomain.resolve_xref), on the numbers the build assigned."""
    docname, number = env.domaindata["math"]["objects"][label]
    config = env.config
    if config.math_numfig and config.numfig:
        numbers = (
            env.toc_fignumbers.get(docname, {})
            .get("displaymath", {})
            .get(equation_anchor(label), ())
        )
        eqno = ".".join(map(str, numbers))
        eqno = config.math_numsep.join(eqno.rsplit(".", 1))
    else:
        eqno = str(number)
    return (config.math_eqref_format or "({number})").format(number=eqno)


def figure_or_section_number(env, target: Target) -> str | None:
    """What ``{numref}`` shows for a label ("Fig. 2", "Section 1.3"), or None."""
    formats = env.config.numfig_format
    for figtype, ids in env.toc_fignumbers.get(target.docname, {}).items():
        if target.anchor in ids and figtype in formats:
            number = ".".join(map(str, ids[target.anchor]))
            return formats[figtype].replace("%s", number)
    secnumbers = env.toc_secnumbers.get(target.docname, {})
    numbers = secnumbers.get(f"#{target.anchor}") or None
    if numbers and "section" in formats:
        return formats["section"].replace("%s", ".".join(map(str, numbers)))
    return None


def executed_glue(root: Path, build: Path) -> dict[str, dict[str, dict]]:
    """{docname: {key: MIME bundle}}: the values each notebook glued when the build
    executed it (the execution cache's record of the notebook as it is now)."""
    cache_path = build / ".jupyter_cache"
    if not cache_path.is_dir():
        return {}
    from jupyter_cache import get_cache

    cache, glued = get_cache(str(cache_path)), {}
    for docname in toc_files(root):
        path = root / f"{docname}.ipynb"
        if not path.is_file():
            continue
        try:
            record = cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:  # not executed by this build: its values are unknown
            continue
        glued[docname] = glue_data(cache.get_cache_bundle(record.pk).nb)
    return glued


def glue_data(nb) -> dict[str, dict]:
    """myst-nb's glue records in an executed notebook: {key: MIME bundle}."""
    data = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook")
            if record and "data" in output:
                prefix = len(record.get("mime_prefix", ""))
                data[record["name"]] = {
                    mime[prefix:]: value for mime, value in output["data"].items()
                }
    return data


def read_bibliography(
    root: Path, config: dict
) -> tuple[dict[str, tuple[list[str], str]], str | None]:
    """{key: (authors' last names, year)} from the book's .bib files, and the page
    holding the ``{bibliography}`` directive."""
    from pybtex.database import parse_file
    from pybtex.richtext import Text

    citations = {}
    for name in config.get("bibtex_bibfiles") or []:
        for key, entry in parse_file(str(root / name)).entries.items():
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            names = [
                Text.from_latex(" ".join(p.last_names)).render_as("text")
                for p in people
            ]
            citations[key] = (names, entry.fields.get("year", "n.d."))
    bibliography = next(
        (doc for doc, text in page_sources(root) if "{bibliography}" in text), None
    )
    return citations, bibliography


def page_sources(root: Path):
    """(docname, Markdown) of every page of _toc.yml; a notebook's Markdown cells
    joined."""
    for docname in toc_files(root):
        md, notebook = root / f"{docname}.md", root / f"{docname}.ipynb"
        if md.is_file():
            yield docname, md.read_text(encoding="utf-8")
        elif notebook.is_file():
            cells = nbformat.read(notebook, as_version=4).cells
            yield (
                docname,
                "\n\n".join(c.source for c in cells if c.cell_type == "markdown"),
            )


def heading_text(line: str) -> str:
    return re.sub(r"\s*\{#[^}]*\}\s*$", "", line.lstrip("#").strip())


def equation_labels(lines: list[str]) -> list[str]:
    """The labels of the numbered equations of a page, in order: ``$$ (label)`` and
    ``:label:`` of a ``{math}`` directive."""
    labels, in_math = [], False
    for line in lines:
        if m := DOLLAR_LABEL.search(line):
            labels.append(m["label"])
        elif DIRECTIVE_OPEN.match(line):
            in_math = DIRECTIVE_OPEN.match(line)["name"] == "math"
        elif in_math and (m := re.match(r"\s*:label:\s*(\S+)", line)):
            labels.append(m[1])
    return labels


# --- MyST Markdown to what Colab renders ---------------------------------------------

FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
DIRECTIVE_OPEN = re.compile(
    r"^(?P<indent> *)(?P<fence>`{3,}|~{3,}|:{3,})\s*"
    r"\{(?P<name>[^}\s]+)\}\s*(?P<args>.*)$"
)
LABEL_LINE = re.compile(r"^\s*\((?P<label>[^()\s]+)\)=\s*$")
NAME_OPTION = re.compile(r"^\s*:name:\s*(?P<label>\S+)\s*$")  # inside a directive
LABEL_OPTION = re.compile(r"^\s*:label:\s*(?P<label>\S+)\s*$")
# sphinx-exercise's directives, whose :label: is a label (a {math} one's is an equation)
LABELLED_DIRECTIVES = {"exercise", "exercise-start", "solution", "solution-start"}
COMMENT_LINE = re.compile(r"^\s*%")  # a MyST comment
BLOCK_BREAK = re.compile(r"^\s*\+\+\+")
DOLLAR_LABEL = re.compile(r"\$\$\s*\((?P<label>[^()\s]+)\)\s*$")
INLINE = re.compile(
    r"\{(?P<role>[A-Za-z][\w:+.-]*)\}(?P<ticks>`+)(?P<content>.+?)(?P=ticks)(?!`)"
    r"|(?P<code>(?P<code_ticks>`+).+?(?P=code_ticks)(?!`))"
    r"|(?P<image>!?)\[(?P<text>(?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]"
    r"\((?P<target>[^()\s]*)(?P<title>\s+\"[^\"]*\")?\)"
    r"|\{\{\s*(?P<substitution>[\w.-]+)\s*\}\}",
    re.S,
)
EXPLICIT_TITLE = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
ABSOLUTE = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)  # https:, mailto:, data:


def link(text: str, url: str) -> str:
    return f"[{text}]({url})"


def explicit_title(content: str) -> tuple[str | None, str]:
    """``text <target>`` -> (text, target); ``target`` -> (None, target)."""
    if m := EXPLICIT_TITLE.match(content.strip()):
        return m["text"] or None, m["target"].strip()
    return None, content.strip()


class Resolver:
    """Turns the MyST Markdown of one page into CommonMark with MathJax, the Markdown
    Colab renders, using ``index`` for everything the book would compute."""

    def __init__(self, index: BookIndex, docname: str):
        self.index, self.docname = index, docname

    def fail(self, message: str) -> EditionError:
        return EditionError(f"{self.docname}: {message}")

    # -- blocks ---------------------------------------------------------------------
    def markdown(self, text: str) -> str:
        lines, out, prose, k = text.split("\n"), [], [], 0

        def flush():
            if prose:
                out.extend(self.inline("\n".join(prose)).split("\n"))
                prose.clear()

        while k < len(lines):
            line = lines[k]
            fence = FENCE.match(line)
            directive = DIRECTIVE_OPEN.match(line)
            if directive or (fence and not fence["fence"].startswith(":")):
                flush()
                opening = directive or fence
                end = closing_fence(lines, k, opening["fence"])
                if directive:
                    out.extend(self.directive(directive, lines[k + 1 : end]))
                else:  # a code block: as it is
                    out.extend(lines[k : end + 1])
                k = end + 1
            elif line.lstrip().startswith("$$"):
                flush()
                end = closing_math(lines, k)
                out.extend(self.display_math(lines[k : end + 1]))
                k = end + 1
            else:
                if not (
                    LABEL_LINE.match(line)
                    or COMMENT_LINE.match(line)
                    or BLOCK_BREAK.match(line)
                ):
                    prose.append(line)
                k += 1
        flush()
        return "\n".join(out)

    def display_math(self, lines: list[str]) -> list[str]:
        """``$$ ... $$ (label)``: the label becomes the book's number, ``\\tag{3}``."""
        last = lines[-1]
        m = DOLLAR_LABEL.search(last)
        if not m:
            return lines
        tag = self.equation_tag(m["label"])
        start = last[: m.start()]
        if len(lines) == 1:  # $$ x $$ (label)
            return [f"{start}{tag}$$"]
        body = [*lines[:-1], start] if start.strip() else lines[:-1]
        return [*body, tag, "$$"] if tag else [*body, "$$"]

    def equation_tag(self, label: str) -> str:
        target = self.index.equations.get(label)
        if target is None:
            raise self.fail(f"no equation labelled {label!r}")
        number = target.text.strip("()")
        return f" \\tag{{{number}}}" if number else ""

    def directive(self, opening: re.Match, body: list[str]) -> list[str]:
        indent, name = opening["indent"], opening["name"]
        args = opening["args"].strip()
        options, content = directive_options(
            [line[len(indent) :] if line.startswith(indent) else line for line in body]
        )
        if name in ADMONITIONS:
            title = ADMONITIONS[name] or args or name.title()
            if ADMONITIONS[name] and args:  # {note} text: the text opens the body
                content = [args, "", *content]
            lines = self.blockquote(title, content)
        elif name == "math":
            tag = self.equation_tag(options["label"]) if "label" in options else ""
            lines = ["$$", *content, *([tag.strip()] if tag else []), "$$"]
        elif name in CODE_DIRECTIVES:
            lines = [f"```{args}", *content, "```"]
        elif name.startswith("glue"):
            lines = [self.glued(name, args)]
        elif name in NO_COLAB_FORM:
            raise self.fail(
                f"the directive {{{name}}} has no Colab form: add one to "
                "scripts/colab_edition.py (Resolver.directive)"
            )
        else:  # any other directive: titled with its argument or its name
            lines = self.blockquote(
                args or name.replace("-", " ").capitalize(), content
            )
        return [f"{indent}{line}" if line else line for line in lines]

    def blockquote(self, title: str, content: list[str]) -> list[str]:
        """``> **title**``, then the content, resolved, as a blockquote."""
        inner = self.markdown("\n".join(content)).split("\n")
        lines = [f"> **{self.inline(title)}**", ">"]
        return lines + [f"> {line}" if line.strip() else ">" for line in inner]

    # -- inline ---------------------------------------------------------------------
    def inline(self, text: str) -> str:
        return INLINE.sub(self._inline, text)

    def _inline(self, m: re.Match) -> str:
        if m["role"]:
            return self.role(m["role"], m["content"])
        if m["code"]:
            return m["code"]
        if m["substitution"]:
            if m["substitution"] not in self.index.substitutions:
                raise self.fail(f"no substitution {m['substitution']!r}")
            return self.index.substitutions[m["substitution"]]
        url, text = self.link_target(m["target"], m["image"]), self.inline(m["text"])
        if not text and not m["image"]:
            text = self.link_title(m["target"])
        return f"{m['image']}[{text}]({url}{m['title'] or ''})"

    def role(self, name: str, content: str) -> str:
        if name == "doc":
            text, target = explicit_title(content)
            docname = self.docname_of(target)
            return link(text or self.index.titles[docname], self.index.url(docname))
        if name == "ref":
            text, target = explicit_title(content)
            place = self.label(target)
            shown = text or place.text or self.index.titles.get(place.docname, target)
            return link(shown, self.index.url(place.docname, place.anchor))
        if name == "numref":
            return self.numref(content)
        if name == "eq":
            target = self.index.equations.get(content.strip())
            if target is None:
                raise self.fail(f"{{eq}}`{content}`: no equation has that label")
            return link(target.text, self.index.url(target.docname, target.anchor))
        if name in PARENTHETICAL_CITES or name in TEXTUAL_CITES:
            return self.cite(name, content)
        if name.startswith("glue"):
            return self.glued(name, content)
        if name == "math":
            return f"${content}$"
        if name in ("sub", "sup", "kbd"):
            return f"<{name}>{content}</{name}>"
        if name == "term":
            return explicit_title(content)[0] or content
        if name == "abbr":
            return content
        if name in ("code", "literal", "samp", "file", "command", "program"):
            return f"`{content}`"
        raise self.fail(
            f"the role {{{name}}} has no Colab form: add one to "
            "scripts/colab_edition.py (Resolver.role)"
        )

    def docname_of(self, target: str) -> str:
        """A page named as MyST does: relative to this page, or from the root with /."""
        path = re.sub(r"\.(md|ipynb|rst)$", "", target.strip())
        if path.startswith("/"):
            docname = path.lstrip("/")
        else:
            folder = posixpath.dirname(self.docname)
            docname = posixpath.normpath(posixpath.join(folder, path))
        if docname not in self.index.titles:
            raise self.fail(f"{target!r} is no page of the book")
        return docname

    def label(self, name: str) -> Target:
        target = self.index.labels.get(name.lower())
        if target is None:
            raise self.fail(f"no label {name!r} in the book")
        return target

    def numref(self, content: str) -> str:
        text, target = explicit_title(content)
        if target in self.index.equations:
            place = self.index.equations[target]
            number = place.text.strip("()")
        else:
            place = self.label(target)
            number = self.index.numbers.get(target.lower())
            if number is None:
                raise self.fail(
                    f"{{numref}}`{content}`: the book numbers no {target!r}"
                )
        if text:
            shown = text.replace("%s", number).replace("{number}", number)
            shown = shown.replace("{name}", place.text)
        else:
            shown = number if target not in self.index.equations else place.text
        return link(shown, self.index.url(place.docname, place.anchor))

    def cite(self, role: str, content: str) -> str:
        """``(Author, year)`` (``Author (year)`` for the textual roles), linked to the
        bibliography; a key the .bib files lack is shown as it is."""
        shown = []
        for key in (k.strip() for k in content.split(",")):
            if key not in self.index.citations:
                shown.append(key)
                continue
            names, year = self.index.citations[key]
            authors = (
                names[0]
                if len(names) == 1
                else f"{names[0]} and {names[1]}"
                if len(names) == 2 and names[1] != "others"
                else f"{names[0]} et al."
            )
            textual = role in TEXTUAL_CITES
            text = f"{authors} ({year})" if textual else f"{authors}, {year}"
            bibliography = self.index.bibliography
            shown.append(
                link(text, self.index.url(bibliography)) if bibliography else text
            )
        if role in TEXTUAL_CITES:
            return ", ".join(shown)
        return f"({'; '.join(shown)})"

    def glued(self, role: str, content: str) -> str:
        """The value a notebook glued under the key, as the build computed it
        (formatted as myst-nb formats ``{glue:text}``), or :data:`NOT_FOUND`."""
        key, fmt = content.strip(), None
        docname = self.docname
        if "::" in key:
            path, key = key.split("::", 1)
            docname = self.docname_of(path)
        if role == "glue:text" and ":" in key:
            key, fmt = key.rsplit(":", 1)
        data = self.index.glue.get(docname, {}).get(key)
        if data is None:
            return NOT_FOUND
        if role in ("glue:md",) or (
            role in ("glue", "glue:", "glue:any") and "text/markdown" in data
        ):
            return data.get("text/markdown", NOT_FOUND)
        if "text/plain" not in data or role in ("glue:figure",):
            return NOT_FOUND
        if role == "glue:math":
            return f"$${data['text/plain']}$$"
        from myst_nb.core.variables import format_plain_text

        if role == "glue:text":
            return format_plain_text(data["text/plain"], "s" if fmt is None else fmt)
        return data["text/plain"]

    def link_target(self, target: str, image: str) -> str:
        """A Markdown link's target as an absolute URL: a URL stays, a page or a label
        of the book becomes its published address."""
        if ABSOLUTE.match(target):
            return target
        path, _, anchor = target.partition("#")
        if image:
            raise self.fail(f"the image {target!r} is not an absolute URL")
        if not path:  # [text](#label)
            place = self.index.labels.get(anchor.lower())
            if place is None:
                return self.index.url(self.docname, anchor)
            return self.index.url(place.docname, place.anchor)
        if path.lower() in self.index.labels and not anchor:  # [text](label)
            place = self.index.labels[path.lower()]
            return self.index.url(place.docname, place.anchor)
        return self.index.url(self.docname_of(path), anchor)

    def link_title(self, target: str) -> str:
        """The text MyST gives a link written without one: the title of its target."""
        path = target.partition("#")[0] or target.partition("#")[2]
        place = self.index.labels.get(path.lower())
        if place is not None:
            return place.text or self.index.titles.get(place.docname, path)
        return self.index.titles[self.docname_of(path)]


def closing_fence(lines: list[str], start: int, fence: str) -> int:
    """The line closing the fence opened at ``start`` (the last line if none does)."""
    closing = re.compile(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
    for k in range(start + 1, len(lines)):
        if closing.match(lines[k]):
            return k
    return len(lines) - 1


def closing_math(lines: list[str], start: int) -> int:
    """The line closing the ``$$`` block opened at ``start``."""
    if lines[start].strip().count("$$") >= 2 and lines[start].strip() != "$$":
        return start  # $$ x $$ on one line
    for k in range(start + 1, len(lines)):
        if "$$" in lines[k]:
            return k
    return len(lines) - 1


def directive_options(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """A directive body's ``:key: value`` lines (or ``---`` YAML block) and the rest."""
    if lines and lines[0].strip() == "---":
        end = next((k for k in range(1, len(lines)) if lines[k].strip() == "---"), None)
        if end is not None:
            options = yaml.safe_load("\n".join(lines[1:end])) or {}
            return {str(k): str(v) for k, v in options.items()}, lines[end + 1 :]
    options, k = {}, 0
    while k < len(lines) and (m := re.match(r"^:([\w-]+):\s*(.*)$", lines[k])):
        options[m[1]] = m[2].strip()
        k += 1
    return options, lines[k:]


# --- the edition ---------------------------------------------------------------------


def colab_notebook(
    nb: nbformat.NotebookNode, docname: str, index: BookIndex, install_source: str
) -> nbformat.NotebookNode:
    """The Colab edition of one notebook: its MyST resolved, the hidden set-up cell
    replaced by a visible install cell, and a line saying where its page is."""
    nb, resolver = copy.deepcopy(nb), Resolver(index, docname)
    cells = []
    for cell in nb.cells:
        if COLAB_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.cell_type == "markdown":
            cell.source = resolver.markdown(cell.source)
        elif cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    title = index.titles.get(docname, docname)
    about = nbformat.v4.new_markdown_cell(
        f"*The Colab edition of {link(title, index.url(docname))}, a notebook of the "
        f"book {link(index.book_title, index.base_url)}. "
        "Run the cell above first: it installs the book's `lib`.*"
    )
    about.id = "colab-about"
    nb.cells = [install_cell(install_source), about, *cells]
    nb.metadata.pop("mystnb", None)
    nbformat.validate(nb)
    return nb


def edition_readme(config: dict, commit: str, titles: dict[str, str]) -> str:
    """The README of the branch the edition is published on; ``titles`` maps each
    notebook (docname) to its title."""
    rows = "\n".join(
        f"- [{title}]({colab_url(config, doc)}) (`{doc}.ipynb`)"
        for doc, title in titles.items()
    )
    return f"""# {config.get("title", "The book")}: the Colab edition

This branch holds the notebooks of the book, {site_url(config)}, ready to run on
Google Colab. `scripts/colab_edition.py` wrote them when the book was built from commit
{commit}
of {config["repository"]["url"]}: their Markdown is plain Markdown, with links to the
book's pages where the book has cross-references, and their first cell installs the
book's `lib` from that same commit. Each build of the book replaces this branch: change
the notebooks in the repository, not here.

Open a notebook on Colab:

{rows}
"""


def write_edition(
    root: Path, out: Path, index: BookIndex, install_source: str
) -> list[Path]:
    """Write out/notebooks/NAME.ipynb for every notebook of _toc.yml (out is emptied
    first: the edition holds the book's current notebooks only). Returns the paths."""
    if out.exists():
        shutil.rmtree(out)
    written = []
    for docname in toc_files(root):
        source = root / f"{docname}.ipynb"
        if not source.is_file():
            continue
        nb = colab_notebook(
            nbformat.read(source, as_version=4), docname, index, install_source
        )
        path = out / f"{docname}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        written.append(path)
    return written


def serve_downloads(out: Path, html: Path, written: list[Path]) -> None:
    """Make each notebook page's download button (the page's _sources copy) serve the
    edition."""
    for path in written:
        target = html / "_sources" / path.relative_to(out)
        if not target.is_file():
            raise EditionError(
                f"{target}: the book's page has no such source file to replace"
            )
        shutil.copyfile(path, target)


def built_commit(root: Path) -> str:
    """The full hash of the commit checked out in root."""
    done = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True
    )
    commit = done.stdout.strip()
    if done.returncode != 0 or not re.fullmatch(r"[0-9a-f]{40}", commit):
        raise EditionError(
            f"{root}: cannot read the commit the book is built from (git rev-parse "
            f"HEAD: {done.stderr.strip() or commit!r}); the edition installs lib "
            "pinned to it"
        )
    return commit


def publish(
    root: Path, build: Path, config_path: Path | None = None, pages: Path | None = None
) -> list[Path]:
    """After a good build into ``build`` (a _build folder): write the edition into
    build/colab, its README, and serve it as the notebook pages' download.

    The student edition passes its own _config.yml (its address, the folder student/
    of the site, and its branch) and ``pages``, the _build folder of its HTML: its
    notebooks go to pages/colab and link to its own pages, which hold no solutions.
    """
    config = book_config(root) if config_path is None else load_config(config_path)
    pages = pages or build
    commit = built_commit(root)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=root,
        capture_output=True,
        text=True,
    ).stdout.strip()
    index = BookIndex.from_build(root, build, config, pages)
    out = pages / EDITION_FOLDER
    source = install_cell_source(config["repository"]["url"], commit)
    written = write_edition(root, out, index, source)
    docnames = [path.relative_to(out).with_suffix("").as_posix() for path in written]
    titles = {doc: index.titles.get(doc, doc) for doc in docnames}
    (out / "README.md").write_text(edition_readme(config, commit, titles))
    serve_downloads(out, pages / "html", written)
    unexecuted = [doc for doc in docnames if doc not in index.glue]
    if unexecuted:  # the execution cache holds no run of their current version
        print(
            f"Colab edition: no executed record of {', '.join(unexecuted)}; their "
            f"glued values read {NOT_FOUND!r}",
            flush=True,
        )
    note = (
        " (the working tree has uncommitted changes it does not hold)" if dirty else ""
    )
    print(
        f"Colab edition: {len(written)} notebooks in {out}, installing lib at "
        f"{commit[:12]}{note}",
        flush=True,
    )
    return written


# --- the Colab button of the book's pages --------------------------------------------


def github_repository(url: str) -> tuple[str, str]:
    m = re.match(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?$", url)
    if not m:
        raise EditionError(
            f"{url}: Colab opens notebooks from GitHub repositories only"
        )
    return m[1], m[2]


def colab_url(config: dict, docname: str) -> str:
    """Colab's address of a notebook of the edition, on the branch
    ``launch_buttons.colab_branch`` of _config.yml (where the workflow publishes it)."""
    buttons = config.get("launch_buttons") or {}
    colab = (buttons.get("colab_url") or "https://colab.research.google.com").rstrip(
        "/"
    )
    owner, repo = github_repository(config["repository"]["url"])
    branch = buttons["colab_branch"]
    return f"{colab}/github/{owner}/{repo}/blob/{branch}/{docname}.ipynb"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", default=".", help="the build's output root (its _build folder)"
    )
    args = parser.parse_args()
    try:
        publish(ROOT, (ROOT / args.out).resolve() / "_build")
    except EditionError as error:
        print(f"Colab edition: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
