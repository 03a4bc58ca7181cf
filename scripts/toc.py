"""The book's table of contents, `_toc.yml`, read in one place.

    toc_entries(root)       every entry that names a file, in reading order
    toc_files(root)         their files ("book/intro", "notebooks/bptt", ...)
    notebooks_in_toc(root)  the notebooks among them, as paths to the .ipynb files

Reading order is the order of the rendered book: the root page, then each part's
chapters, each chapter followed by its sections (depth first).
"""

from __future__ import annotations

from pathlib import Path

import yaml

NESTED = ("parts", "chapters", "sections")  # the keys under which entries nest


def toc_entries(root: Path) -> list[dict]:
    """Every entry of ``root/_toc.yml`` that has a ``file``, in reading order.

    The root page comes first as ``{"file": <root>}``; the other entries are the
    mappings of _toc.yml as written (a chapter keeps its ``sections``).
    """
    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text(encoding="utf-8"))

    def walk(entries: list[dict]):
        for entry in entries:
            if "file" in entry:
                yield entry
            for key in NESTED:
                yield from walk(entry.get(key, []))

    return [{"file": toc["root"]}, *walk([toc])]


def toc_files(root: Path) -> list[str]:
    """The file of every entry, as in _toc.yml (no suffix), the root page first."""
    return [entry["file"] for entry in toc_entries(root)]


def notebooks_in_toc(root: Path) -> list[Path]:
    """The notebooks of the book (the files under notebooks/), in reading order."""
    return [
        Path(root) / f"{file}.ipynb"
        for file in toc_files(root)
        if file.startswith("notebooks/")
    ]
