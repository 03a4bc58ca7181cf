"""Tables computed in a notebook, shown as Markdown (rendered as real tables in the book)."""

from __future__ import annotations

from typing import Sequence


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence]) -> str:
    """A GitHub/MyST Markdown table; every cell is formatted with ``str``."""
    widths = len(headers)
    if any(len(row) != widths for row in rows):
        raise ValueError(f"every row needs {widths} cells")
    lines = ["| " + " | ".join(map(str, headers)) + " |", "|" + "---|" * widths]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return "\n".join(lines)


def show_table(headers: Sequence[str], rows: Sequence[Sequence]) -> None:
    """Display ``rows`` under ``headers`` in a notebook (and in the built book)."""
    from IPython.display import Markdown, display

    display(Markdown(markdown_table(headers, rows)))


def glue(name: str, value, display: bool = True) -> None:
    """Keep ``value`` under ``name`` for the chapter's text ({glue}`name` in book/*.md).

    In the book build this is myst-nb's ``glue``. Where myst-nb is not installed (Colab, a plain
    Jupyter), there is no chapter text to fill in: the value is just shown (unless ``display``
    is false).
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show
            show(value)
        return
    myst_glue(name, value, display=display)
