"""Write the whole book to one PDF, _build/pdf/book.pdf, from the built book.

    python scripts/pdf.py [--size smoke|book|full] [--book DIR] [--out DIR]

Why this route. jupyter-book's own PDF builders do not work offline: ``pdflatex``
needs a TeX installation (latexmk, XeLaTeX and several hundred MB of TeX packages)
that neither the machines the book is built on nor its CI have, and ``pdfhtml``
drives pyppeteer, which downloads a Chromium of its own on first use. The book
already has everything a PDF needs:

1. Sphinx's ``singlehtml`` builder writes every page, in the order of _toc.yml, into
   one HTML page, with the book's own configuration, theme, numbering and offline
   MathJax (assets/vendor);
2. the headless Chromium the browser tests drive (Debian's, through Playwright, with
   the flags and checks of scripts/browser.py, which those tests use too) opens that
   page from a server on 127.0.0.1, waits until MathJax has typeset every formula
   and every figure has loaded, refuses to print if raw TeX or a broken image is left
   or if anything was asked of the network, and prints it (``page.pdf``): A4, page
   numbers, each page of the book starting a new sheet, the chapters as the PDF's
   outline.

Nothing is executed. The notebooks' outputs come from the execution cache of the
last ``make book`` (OUT/_build/.jupyter_cache). Before building, the script checks
that every notebook is in that cache and up to date (the fingerprints of
scripts/build_book.py: its lib imports, the requirements and BOOK_SIZE); if one is
not, it stops and says to run ``make book`` first. The singlehtml build has its own
folder, OUT/_build/pdf/ (doctrees included: the HTML build's are never touched), and
reads every page afresh, so the PDF never shows outputs older than the cache.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import warnings
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # scripts.* and tests.* as packages, run from anywhere
    sys.path.insert(0, str(ROOT))

from scripts.browser import (  # noqa: E402 (the browser tests' checks too)
    BROKEN_IMAGES,
    RAW_TEX_LEFT,
    WAIT_FOR_MATHJAX,
    browser,
    chromium_path,
    open_watched,
    serve,
)
from scripts.build_book import (  # noqa: E402
    NOTEBOOK_STAMPS,
    notebook_fingerprints,
    read_stamps,
    why_stale,
)

# Lazy images load only when scrolled to, which printing does not do: load them all,
# and the fonts (MathJax's among them), before printing.
LOAD_EVERYTHING = """async () => {
  const images = Array.from(document.images);
  images.forEach(img => { img.loading = "eager"; });
  await Promise.all(images.map(img => img.decode().catch(() => null)));
  await document.fonts.ready;
}"""

# sphinx-book-theme prints a "Contents" list under the title, which on a singlehtml page
# misses most of the book: list every page instead, a chapter's sections under it.
CONTENTS = """() => {
  const pages = document.querySelectorAll(
    'article.bd-article span[id^="document-"] + section');
  const nav = document.querySelector('#jb-print-toc nav');
  if (!nav || pages.length === 0) return 0;
  const list = document.createElement('ul');
  list.className = 'section-nav';
  for (const page of pages) {
    const heading = page.querySelector('h1, h2, h3').cloneNode(true);
    heading.querySelectorAll('.headerlink').forEach(e => e.remove());
    let depth = 0;  // how many toctrees hold the page: 1 for a chapter
    for (let e = page.parentElement; e; e = e.parentElement)
      if (e.classList.contains('toctree-wrapper')) depth++;
    const link = document.createElement('a');
    link.href = '#' + page.previousElementSibling.id;
    link.textContent = heading.textContent.trim();
    const item = document.createElement('li');
    item.style.marginLeft = (1.5 * Math.max(0, depth - 1)) + 'em';
    item.append(link);
    list.append(item);
  }
  nav.replaceChildren(list);
  return pages.length;
}"""

# On top of the theme's print styles (sphinx-book-theme hides the navigation).
PRINT_CSS = """
/* every page of the book (a chapter, a notebook) starts a new sheet */
span[id^="document-"] + section { break-before: page; }
/* keep figures, displayed equations and tables whole */
figure, img, mjx-container[display="true"], table { break-inside: avoid; }
/* what only makes sense on screen */
.prev-next-area, button.copybtn, a.headerlink { display: none !important; }
"""

FOOTER = (
    '<div style="font-size: 8px; width: 100%; text-align: center; color: #555;">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


class PdfError(Exception):
    """What stops the PDF, said for the reader of ``make pdf``."""


def notebooks_not_ready(book: Path, build: Path, size: str) -> dict[str, str]:
    """{notebook: why} for each notebook of the book whose outputs the execution
    cache of the last build cannot give at this size (none: nothing would execute)."""
    fingerprints = notebook_fingerprints(book, size)
    stamps = read_stamps(build / NOTEBOOK_STAMPS)
    problems = {}
    for name, fingerprint in fingerprints.items():
        why = why_stale(stamps.get(name), fingerprint)
        if why is not None:
            problems[name] = "never built" if why == "new" else why
    cache_path = build / ".jupyter_cache"
    todo = [name for name in fingerprints if name not in problems]
    if todo and not cache_path.is_dir():
        return {**problems, **dict.fromkeys(todo, "no execution cache")}
    if todo:
        import nbformat
        from jupyter_cache import get_cache

        cache = get_cache(str(cache_path))
        for name in todo:
            try:
                cache.match_cache_notebook(nbformat.read(book / name, as_version=4))
            except KeyError:
                problems[name] = "not in the execution cache (it failed, or changed)"
    return problems


def build_single_page(book: Path, build: Path, size: str) -> Path:
    """The whole book as one HTML page, _build/pdf/singlehtml/book.html (Sphinx's
    singlehtml builder, with the book's _config.yml and _toc.yml, called as
    jupyter-book's CLI calls it); returns that file."""
    from jupyter_book.sphinx import build_sphinx

    # sphinx-external-toc looks at every live object, torch's deprecated ones among
    # them (torch is loaded here, through lib.runtime); the HTML build loads no torch
    warnings.filterwarnings("ignore", message=r"`torch\.distributed\.reduce_op`")
    os.environ.update(BOOK_SIZE=size, TQDM_DISABLE="1")  # the home page names the size
    out = build / "pdf" / "singlehtml"
    status = build_sphinx(
        book,
        out,
        noconfig=True,
        path_config=str(book / "_config.yml"),
        confoverrides={
            "external_toc_path": (book / "_toc.yml").as_posix(),
            "latex_individualpages": False,
            # the outputs of the last `make book`, checked complete beforehand
            "nb_execution_cache_path": str(build / ".jupyter_cache"),
        },
        doctreedir=build / "pdf" / ".doctrees",
        builder="singlehtml",
        freshenv=True,  # Sphinx cannot tell that a notebook's cached outputs changed
        keep_going=True,
        quiet=True,  # Sphinx's warnings are still shown
    )
    if status != 0:
        raise PdfError(f"the singlehtml build failed (status {status})")
    # singlehtml names the page after the root page (book/intro.html) but writes its
    # links relative to the top folder (_static/..., _images/...): open it from there
    root_doc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))["root"]
    page = out / "book.html"
    page.write_bytes((out / f"{root_doc}.html").read_bytes())
    return page


def print_to_pdf(html: Path, pdf: Path, title: str) -> None:
    """Open ``html`` in headless Chromium, served with its folder on 127.0.0.1, once
    MathJax and every image are done, and print it to ``pdf``."""
    if not chromium_path():
        raise PdfError(
            "chromium is not installed: scripts/ensure_chromium.sh installs it"
        )
    with serve(html.parent) as base_url, browser() as chromium:
        # the whole book is one long page to load; the watch refuses every request
        # off 127.0.0.1. No wait for an idle network: MathJax fetches its fonts while
        # it typesets thousands of formulas; the two waits below are the ones needed
        page, watch = open_watched(
            base_url, chromium, html.name, timeout_ms=600_000, idle=False
        )
        has_math = page.evaluate(WAIT_FOR_MATHJAX)
        page.evaluate(LOAD_EVERYTHING)
        problems = []
        if has_math and page.locator("mjx-container").count() == 0:
            problems.append("MathJax typeset nothing")
        problems += [
            f"raw TeX left: ...{hit}..." for hit in page.evaluate(RAW_TEX_LEFT)
        ]
        problems += [f"image not loaded: {src}" for src in page.evaluate(BROKEN_IMAGES)]
        problems += [f"asked the network for {url}" for url in watch.external]
        if problems:
            raise PdfError("not printed:\n  " + "\n  ".join(problems))
        page.evaluate(CONTENTS)
        page.add_style_tag(content=PRINT_CSS)
        page.evaluate("title => { document.title = title; }", title)  # the PDF's title
        pdf.parent.mkdir(parents=True, exist_ok=True)
        partial = pdf.with_name(f"{pdf.name}.tmp")
        page.pdf(
            path=str(partial),
            format="A4",
            margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"},
            print_background=True,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=FOOTER,
            outline=True,  # the headings as the PDF's bookmarks
            tagged=True,
        )
        partial.replace(pdf)


def page_count(pdf: Path) -> int:
    """The number of pages of a PDF (its /Type /Page objects)."""
    return len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--size",
        default=os.environ.get("BOOK_SIZE", "book"),
        choices=["smoke", "book", "full"],
        help="the size the book was built at (make book BOOK_SIZE=...)",
    )
    parser.add_argument("--book", default=str(ROOT), help="the book's source folder")
    parser.add_argument(
        "--out",
        default=None,
        help="the folder whose _build holds the built book (default: the book's); "
        "the PDF goes to OUT/_build/pdf/book.pdf",
    )
    args = parser.parse_args(argv)
    book = Path(args.book).resolve()
    build = Path(args.out or book).resolve() / "_build"
    pdf = build / "pdf" / "book.pdf"
    start = time.perf_counter()
    try:
        missing = notebooks_not_ready(book, build, args.size)
        if missing:
            lines = [f"  {name}: {why}" for name, why in sorted(missing.items())]
            raise PdfError(
                f"the PDF prints the outputs of the last book build, and at "
                f"BOOK_SIZE={args.size} these notebooks have none to give:\n"
                + "\n".join(lines)
                + f"\nrun `make book BOOK_SIZE={args.size}` first"
            )
        print(f"BOOK_SIZE={args.size}: the book as one HTML page", flush=True)
        html = build_single_page(book, build, args.size)
        print(f"printing {html.relative_to(build.parent)} with Chromium", flush=True)
        config = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8"))
        print_to_pdf(html, pdf, config.get("title", "The book"))
    except PdfError as error:
        print(f"make pdf: {error}", file=sys.stderr)
        return 1
    megabytes = pdf.stat().st_size / 1e6
    print(
        f"wrote {pdf}: {page_count(pdf)} pages, {megabytes:.1f} MB, "
        f"in {time.perf_counter() - start:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
