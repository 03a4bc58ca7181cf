"""Figures in one style, and the mean +/- std bands every multi-seed experiment uses."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np


def use_book_style() -> None:
    """Small, clean figures that read well in the rendered book (call once per notebook)."""
    plt.rcParams.update({
        "figure.dpi": 100, "savefig.dpi": 100, "figure.figsize": (6.4, 3.6),
        "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
        "axes.spines.right": False, "font.size": 10, "legend.frameon": False,
        "figure.constrained_layout.use": True,
    })


def mean_std(runs: Sequence[Sequence[float]] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and (population) standard deviation over the first axis: runs (S, N) -> (N,), (N,)."""
    runs = np.asarray(runs, dtype=float)
    return runs.mean(axis=0), runs.std(axis=0)


def band(ax, x, runs, label: str | None = None, color=None, alpha: float = 0.2, **kwargs):
    """Plot the mean of ``runs`` (S, N) against x with a shaded +/- one std band."""
    mean, std = mean_std(runs)
    (line,) = ax.plot(x, mean, label=label, color=color, **kwargs)
    ax.fill_between(x, mean - std, mean + std, color=line.get_color(), alpha=alpha, linewidth=0)
    return line


def pm(values: Sequence[float], digits: int = 3) -> str:
    """'mean +/- std' of ``values`` as text, e.g. for tables: pm([0.8, 0.9]) -> '0.850 ± 0.050'."""
    values = np.asarray(values, dtype=float)
    return f"{values.mean():.{digits}f} ± {values.std():.{digits}f}"
