"""How results are shown: figures in one style, mean +/- std bands, tables and glued
values.

Every multi-seed experiment plots :func:`band` and writes :func:`pm`; a log-scale axis
goes through :func:`log_axis` (decades or plain numbers, no minor-tick labels); tables
computed in a notebook are shown with :func:`show_table` (Markdown, rendered as real
tables in the book, aligned text where Markdown is not rendered); values the chapter's
text quotes are kept with :func:`glue`.

Notebooks import the names (``from lib.display import band, show_table``), not the
module: the module's name would shadow IPython's ``display`` function.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import ticker


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


class _LogTicks(ticker.Locator):
    """Decades when at least two are in view, else 1-2-5 steps or 1..9 steps when
    three of them are, else evenly spaced round numbers."""

    def __init__(self, base: float = 10.0):
        self.base = base

    def __call__(self):
        return self.tick_values(*self.axis.get_view_interval())

    def tick_values(self, vmin, vmax):
        lo, hi = sorted((vmin, vmax))
        for subs, enough in (((1.0,), 2), ((1.0, 2.0, 5.0), 3), (range(1, 10), 3)):
            locator = ticker.LogLocator(self.base, subs=tuple(subs))
            locator.set_axis(self.axis)
            ticks = locator.tick_values(lo, hi)
            if ((ticks >= lo) & (ticks <= hi)).sum() >= enough:
                return ticks
        return ticker.MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi)


def _decades_in_view(axis, base: float) -> int:
    lo, hi = sorted(axis.get_view_interval())
    if lo <= 0:
        return 0
    return (
        int(np.floor(np.log(hi) / np.log(base) + 1e-9))
        - int(np.ceil(np.log(lo) / np.log(base) - 1e-9))
        + 1
    )


class _LogLabels(ticker.Formatter):
    """10^k at the decades when at least two are in view, else plain numbers."""

    def __init__(self, base: float = 10.0):
        self.base = base
        self._powers = ticker.LogFormatterSciNotation(base)

    def set_axis(self, axis):
        super().set_axis(axis)
        self._powers.set_axis(axis)

    def set_locs(self, locs):
        super().set_locs(locs)
        self._powers.set_locs(locs)

    def __call__(self, x, pos=None):
        if self.axis is not None and _decades_in_view(self.axis, self.base) >= 2:
            return self._powers(x, pos)
        return f"{x:.6g}"


def log_axis(ax, which: str = "y", base: float = 10.0):
    """Make ``which`` ("x", "y" or "both") of ``ax`` a log axis that reads: labels at
    the decades (10^k) when two or more are in view, else plain numbers at 1-2-5 steps,
    and never a label on a minor tick (matplotlib writes those as "6 x 10^0"). Ticks
    set by hand (``ax.set_xticks``) are kept. Call it after ``set_xscale``/``set(...)``
    and before or after ``set_xticks``; returns ``ax``."""
    names = ("x", "y") if which == "both" else (which,)
    for name in names:
        axis = getattr(ax, f"{name}axis")
        if axis.get_scale() not in ("log", "functionlog"):
            getattr(ax, f"set_{name}scale")("log", base=base)
        if not isinstance(axis.get_major_locator(), ticker.FixedLocator):
            axis.set_major_locator(_LogTicks(base))
            axis.set_major_formatter(_LogLabels(base))
        axis.set_minor_formatter(ticker.NullFormatter())
    return ax


def pm(values: Sequence[float], digits: int = 3) -> str:
    """'mean +/- std' of ``values`` as text, e.g. for tables:
    pm([0.8, 0.9]) -> '0.850 ± 0.050'."""
    values = np.asarray(values, dtype=float)
    return f"{values.mean():.{digits}f} ± {values.std():.{digits}f}"


def _cell(value) -> str:
    """One table cell as text on one line."""
    return " ".join(str(value).split("\n"))


def _checked(headers: Sequence[str], rows: Sequence[Sequence]) -> None:
    widths = len(headers)
    if any(len(row) != widths for row in rows):
        raise ValueError(f"every row needs {widths} cells")


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence]) -> str:
    """A GitHub/MyST Markdown table; every cell is formatted with ``str``, on one
    line, with ``|`` escaped (``largest |c|`` stays one cell)."""
    _checked(headers, rows)

    def line(cells):
        return "| " + " | ".join(_cell(c).replace("|", "\\|") for c in cells) + " |"

    return "\n".join(
        [line(headers), "|" + "---|" * len(headers)] + list(map(line, rows))
    )


def text_table(headers: Sequence[str], rows: Sequence[Sequence]) -> str:
    """The same table as aligned plain text, for where Markdown is not rendered (a
    terminal, a plain-text front end)."""
    _checked(headers, rows)
    table = [[_cell(c) for c in headers]] + [[_cell(c) for c in row] for row in rows]
    widths = [max(len(row[k]) for row in table) for k in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def show_table(headers: Sequence[str], rows: Sequence[Sequence]) -> None:
    """Display ``rows`` under ``headers``: a Markdown table in a notebook (and in the
    built book, Jupyter, Colab), with aligned text as the plain-text form; printed as
    that text where no IPython shell runs (a script)."""
    markdown, text = markdown_table(headers, rows), text_table(headers, rows)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with matplotlib-inline
        get_ipython = None
    if get_ipython is None or get_ipython() is None:
        print(text)
        return
    from IPython.display import display

    display({"text/markdown": markdown, "text/plain": text}, raw=True)


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
