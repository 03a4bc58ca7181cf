"""The book as one PDF (scripts/pdf.py, ``make pdf``), on a small book in tmp_path.

Two pages of MyST Markdown (a title, an equation, a figure) and one notebook whose
outputs are put in the execution cache by hand, as ``make book`` leaves them, with a
different text from what running its code would print: the PDF shows the cached one,
so nothing was executed. The PDF's text is read with the small reader below (no PDF
library is installed; Chromium's PDFs are simple) and must hold every page title, each
on a page of its own, and typeset math, no raw TeX.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import zlib

import nbformat
import pytest
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn

from scripts import pdf as pdf_script
from scripts.build_book import invalidate_stale_notebooks, notebook_fingerprints
from tests.book.browser_support import ROOT, browser, chromium_path

TITLES = ["Gradients through time", "Messages on graphs", "A notebook from the cache"]
IMAGE_SIZE = (123, 45)  # pixels of the figure, found again in the PDF
FILES = {
    "_config.yml": f"""\
title: A small book
only_build_toc_files: true
execute:
  execute_notebooks: cache
parse:
  myst_enable_extensions: [amsmath, dollarmath]
sphinx:
  extra_extensions: [sphinx_exercise]  # registers its nodes for singlehtml by name
  local_extensions:
    singlehtml: {ROOT / "assets"}
  config:
    html_static_path: ["{ROOT / "assets" / "vendor"}"]
    mathjax_path: "mathjax/tex-chtml.js"
""",
    "_toc.yml": """\
format: jb-book
root: book/intro
chapters:
  - file: book/second
    sections:
      - file: notebooks/cached
""",
    "book/intro.md": f"# {TITLES[0]}\n"
    + r"""
The loss is a sum over time,

$$
\frac{\partial L}{\partial W} = \sum_{t=1}^{T} \frac{\partial L_t}{\partial W}.
$$

![A figure](figure.png)
""",
    "book/second.md": f"# {TITLES[1]}\n"
    + r"""
Each node averages its neighbours, $h_v = \frac{1}{|N(v)|} \sum_{u} h_u$.
""",
    "requirements.txt": "",  # what the notebooks' fingerprints hash
    "pyproject.toml": "[project]\n",
}
EXECUTED = 'print("printed when " + "executed")'  # the phrase is not in the source
CACHED = "printed in the cache"


def png(width: int, height: int) -> bytes:
    """An RGB PNG image, a colour gradient."""
    rows = (
        b"\0" + bytes(v for x in range(width) for v in (x * 2 % 256, y * 5 % 256, 128))
        for y in range(height)
    )

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def write_book(root, cached: bool):
    """The small book; its notebook in the execution cache when ``cached``."""
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "book" / "figure.png").write_bytes(png(*IMAGE_SIZE))
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(f"# {TITLES[2]}"),
            nbformat.v4.new_code_cell(EXECUTED, metadata={"tags": ["hide-input"]}),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3"},
            "language_info": {"name": "python"},
        },
    )
    path = root / "notebooks" / "cached.ipynb"
    path.parent.mkdir()
    nbformat.write(notebook, path)
    # what scripts/build_book.py does: stamp the fingerprints, then fill the cache
    invalidate_stale_notebooks(
        root / "_build", root, notebook_fingerprints(root, "smoke")
    )
    if cached:
        notebook.cells[1].outputs = [
            nbformat.v4.new_output("stream", name="stdout", text=CACHED + "\n")
        ]
        get_cache(str(root / "_build" / ".jupyter_cache")).cache_notebook_bundle(
            CacheBundleIn(notebook, str(path)), check_validity=False, overwrite=True
        )


# --- reading a PDF that Chromium wrote ---------------------------------------------


def pdf_objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """{number: (dictionary, decompressed stream or None)} of every object."""
    objects, at = {}, 0
    while match := re.compile(rb"(\d+) 0 obj\s*").search(data, at):
        start = match.end()
        end = data.index(b"endobj", start)
        stream = data.find(b"stream", start, end)
        if stream < 0:
            objects[int(match[1])] = (data[start:end], None)
            at = end
            continue
        head = data[start:stream]
        body = (
            stream
            + len(b"stream")
            + (2 if data[stream + 6 : stream + 8] == b"\r\n" else 1)
        )
        length = int(re.search(rb"/Length (\d+)", head)[1])
        raw = data[body : body + length]
        decoded = zlib.decompress(raw) if b"/FlateDecode" in head else raw
        objects[int(match[1])] = (head, decoded)
        at = data.index(b"endobj", body + length)
    return objects


def refs(text: bytes) -> list[int]:
    return [int(n) for n in re.findall(rb"(\d+) 0 R", text)]


def to_unicode(cmap: bytes) -> tuple[int, dict[int, str]]:
    """(bytes per code, {code: text}) of a ToUnicode CMap."""
    width = len(re.search(rb"begincodespacerange\s*<([0-9A-Fa-f]+)>", cmap)[1]) // 2
    table = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, first in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            for offset in range(int(high, 16) - int(low, 16) + 1):
                table[int(low, 16) + offset] = chr(int(first, 16) + offset)
    return width, table


def page_fonts(page: bytes, objects) -> dict[bytes, tuple[int, dict[int, str]]]:
    """{resource name: its font's ToUnicode map} for the fonts a page uses."""
    resources = re.search(rb"/Font <<(.*?)>>", page, re.S)
    fonts = {}
    for name, number in re.findall(
        rb"/(\w+) (\d+) 0 R", resources[1] if resources else b""
    ):
        font = objects[int(number)][0]
        cmap = objects[refs(font.split(b"/ToUnicode")[1])[0]][1]
        fonts[name] = to_unicode(cmap)
    return fonts


SHOW_TEXT = re.compile(  # a font chosen, a string shown, strings shown, a text object
    rb"/(?P<font>\w+) [-\d.]+ Tf"
    rb"|<(?P<tj>[0-9A-Fa-f]*)> ?Tj"
    rb"|\[(?P<tjs>.*?)\] ?TJ"
    rb"|\bBT\b",
    re.S,
)


def pdf_pages(data: bytes) -> list[str]:
    """The text of every page, in order: each font's ToUnicode map applied to the hex
    strings of Tj and TJ (how Skia, Chromium's PDF writer, shows text); a line per
    text object (BT ... ET)."""
    objects = pdf_objects(data)
    catalog = next(d for d, _ in objects.values() if b"/Type /Catalog" in d)
    todo, pages = refs(re.search(rb"/Pages (\d+ 0 R)", catalog)[1]), []
    while todo:  # the page tree, depth first
        node = objects[todo.pop(0)][0]
        if re.search(rb"/Type /Pages\b", node):
            todo[:0] = refs(re.search(rb"/Kids \[(.*?)\]", node, re.S)[1])
        else:
            pages.append(node)
    texts = []
    for page in pages:
        fonts = page_fonts(page, objects)
        contents = re.search(rb"/Contents (\[.*?\]|\d+ 0 R)", page, re.S)[1]
        stream = b"".join(objects[n][1] for n in refs(contents))
        lines, font = [], None
        for match in SHOW_TEXT.finditer(stream):
            if match["font"]:
                font = fonts[match["font"]]
            elif match[0] == b"BT":
                lines.append("")
            else:
                hexes = (
                    [match["tj"]]
                    if match["tj"] is not None
                    else re.findall(rb"<([0-9A-Fa-f]*)>", match["tjs"])
                )
                codes = b"".join(bytes.fromhex(h.decode()) for h in hexes)
                width, table = font
                lines[-1] += "".join(
                    table.get(int.from_bytes(codes[i : i + width], "big"), "\ufffd")
                    for i in range(0, len(codes), width)
                )
        texts.append("\n".join(lines))
    return texts


def squashed(text: str) -> str:
    return "".join(text.split())


# --- the tests ---------------------------------------------------------------------


@pytest.mark.browser
def test_pdf_of_a_small_book(tmp_path):
    if not chromium_path():
        pytest.skip("chromium is not installed (see scripts/ensure_chromium.sh)")
    write_book(tmp_path, cached=True)
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "pdf.py"), "--book", str(tmp_path)]
        + ["--size", "smoke"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"scripts/pdf.py failed:\n{done.stdout}\n{done.stderr}"
    data = (tmp_path / "_build" / "pdf" / "book.pdf").read_bytes()
    pages = pdf_pages(data)
    assert 3 <= len(pages) <= 6, (
        f"expected 3 to 6 pages (3 pages of text), got {len(pages)}"
    )
    assert len(pages) == pdf_script.page_count(tmp_path / "_build" / "pdf" / "book.pdf")
    # every page of the book starts a sheet with its title, in reading order
    starts = [
        next(
            (i for i, text in enumerate(pages) if squashed(text).startswith(title)),
            None,
        )
        for title in map(squashed, TITLES)
    ]
    assert None not in starts and starts == sorted(set(starts)), (
        f"expected a sheet to start with each title of {TITLES}, in this order; "
        f"got sheets {starts}:\n" + "\n---\n".join(pages)
    )
    contents = squashed(pages[0].split("Contents", 1)[-1])
    assert all(squashed(title) in contents for title in TITLES[1:]), (
        f"expected the contents on the first sheet to list {TITLES[1:]}: {pages[0]}"
    )
    text = "\n".join(pages)
    assert CACHED in text and "printed when executed" not in text, (
        "expected the notebook's output from the execution cache"
    )
    raw_tex = [s for s in ("\\", "$", "frac", "partial", "sum_") if s in text]
    assert raw_tex == [], f"expected no raw TeX in the PDF's text, found {raw_tex}"
    assert "∂" in text and "∑" in text, "expected the typeset ∂ and ∑ in the PDF's text"
    images = [
        head for head, _ in pdf_objects(data).values() if b"/Subtype /Image" in head
    ]
    width, height = IMAGE_SIZE
    assert any(
        re.search(rb"/Width %d\b" % width, h)
        and re.search(rb"/Height %d\b" % height, h)
        for h in images
    ), f"expected the {width} x {height} figure among the PDF's images: {images}"


@pytest.mark.browser
def test_reader_sees_raw_tex():
    """The check above could not pass by the reader missing text: Chromium's PDF of
    untypeset math reads back as raw TeX."""
    if not chromium_path():
        pytest.skip("chromium is not installed (see scripts/ensure_chromium.sh)")
    with browser() as chromium:
        page = chromium.new_page()
        page.set_content("<h1>Raw</h1><p>$$\\frac{\\partial L}{\\partial W}$$</p>")
        text = "\n".join(pdf_pages(page.pdf()))
    assert squashed("$$\\frac{\\partial L}{\\partial W}$$") in squashed(text), text


def test_refuses_without_cached_outputs(tmp_path, capsys):
    """A notebook missing from the execution cache: nothing is built, nothing
    executed; the message says to run make book."""
    write_book(tmp_path, cached=False)
    status = pdf_script.main(["--book", str(tmp_path), "--size", "smoke"])
    message = capsys.readouterr().err
    assert status == 1, f"expected exit status 1, got {status}: {message}"
    assert "notebooks/cached.ipynb" in message and "make book" in message, message
    assert not (tmp_path / "_build" / "pdf").exists(), "expected nothing built"
    # at another size than the build's, the fingerprints say so
    write_book(tmp_path / "other", cached=True)
    assert pdf_script.main(["--book", str(tmp_path / "other"), "--size", "book"]) == 1
    assert "BOOK_SIZE changed" in capsys.readouterr().err
