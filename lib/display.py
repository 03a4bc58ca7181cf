"""How results are shown: figures in one style, mean +/- std bands, tables and glued
values.

Every multi-seed experiment plots :func:`band` and writes :func:`pm`; tables computed in
a notebook are shown as Markdown (:func:`show_table`, rendered as real tables in the
book); values the chapter's text quotes are kept with :func:`glue`.

Notebooks import the names (``from lib.display import band, show_table``), not the
module: the module's name would shadow IPython's ``display`` function.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np


def use_book_style() -> None:
    """Small, clean figures that read well in the rendered book (call once per
    notebook)."""
    plt.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.figsize": (6.4, 3.6),
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 10,
            "legend.frameon": False,
            "figure.constrained_layout.use": True,
        }
    )


def mean_std(
    runs: Sequence[Sequence[float]] | np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and (population) standard deviation over the first axis: runs
    (S, N) -> (N,), (N,)."""
    runs = np.asarray(runs, dtype=float)
    return runs.mean(axis=0), runs.std(axis=0)


def band(
    ax, x, runs, label: str | None = None, color=None, alpha: float = 0.2, **kwargs
):
    """Plot the mean of ``runs`` (S, N) against x with a shaded +/- one std band."""
    mean, std = mean_std(runs)
    (line,) = ax.plot(x, mean, label=label, color=color, **kwargs)
    ax.fill_between(
        x, mean - std, mean + std, color=line.get_color(), alpha=alpha, linewidth=0
    )
    return line


def pm(values: Sequence[float], digits: int = 3) -> str:
    """'mean +/- std' of ``values`` as text, e.g. for tables:
    pm([0.8, 0.9]) -> '0.850 ± 0.050'."""
    values = np.asarray(values, dtype=float)
    return f"{values.mean():.{digits}f} ± {values.std():.{digits}f}"


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

    In the book build this is myst-nb's ``glue``. Where myst-nb is not installed (Colab,
    a plain Jupyter), there is no chapter text to fill in: the value is just shown
    (unless ``display`` is false).
    """
    if isinstance(value, np.generic):  # np.float64(...) is no number to a format spec
        value = value.item()
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(value)
        return
    myst_glue(name, value, display=display)
