"""Primitives for the book's conceptual diagrams: a palette that reads in the light and
the dark page theme, a bare figure to draw on, and boxes, operators, arrows and labels.

Every wing draws its diagrams with these (``lib.recurrent.drawing``,
``lib.graphs.drawing``), so that the chapters' figures share one look. A diagram is
patches, arrows and text on bare axes with equal aspect, in drawing units. The figures
have an opaque white background and the colours are mid-tones with dark grey text (never
pure black), so a figure looks the same on a light and on a dark page. Patches carry a
``gid`` saying what they are, by which tests (and a reader of an SVG) find them.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

INK = "#333333"  # text and outlines: dark grey on the white figure
FORWARD = "#4a6fa5"  # the forward computation, messages (mid blue)
BACKWARD = "#d9722b"  # the gradient flowing back; what is new (mid orange)
HIGHWAY = "#2a9d8f"  # the LSTM's cell state; learned weights (teal)
SIGMOID = "#5b8fd1"  # gates: a sigmoid, values in (0, 1)
TANH = "#c45a8a"  # candidate and output squashing: a tanh, values in (-1, 1)
FILL = "#f4f4f4"  # light fill of boxes
SHADE = "#d6e6f5"  # light blue fill: a region, a set of nodes
MUTED = "#9a9a9a"  # what is drawn for context only (mid grey)
BACKGROUND = "white"


def _bare(ax: Axes, xlim, ylim) -> Axes:
    ax.set_facecolor(BACKGROUND)
    ax.set(xlim=xlim, ylim=ylim, aspect="equal")
    ax.axis("off")
    return ax


def new_figure(width: float, height: float, xlim, ylim) -> tuple[Figure, Axes]:
    """A white figure of ``width`` x ``height`` inches with one bare axes spanning
    ``xlim`` x ``ylim`` in drawing units (equal aspect)."""
    fig = plt.figure(figsize=(width, height), facecolor=BACKGROUND, layout="none")
    return fig, _bare(fig.add_axes((0, 0, 1, 1)), xlim, ylim)


def new_panels(
    count: int, cols: int, panel_width: float, height: float, xlim, ylim, bottom=0.0
) -> tuple[Figure, list[Axes]]:
    """A white figure of ``count`` bare axes, ``cols`` a row (row by row from the top),
    each ``panel_width`` x ``height`` inches spanning ``xlim`` x ``ylim`` (equal
    aspect), above a free strip of ``bottom`` inches (for a legend)."""
    cols = min(cols, count)
    rows = -(-count // cols)
    width, total = cols * panel_width, rows * height + bottom
    fig = plt.figure(figsize=(width, total), facecolor=BACKGROUND, layout="none")
    axes = []
    for k in range(count):
        row, col = divmod(k, cols)
        corner = (col / cols, (bottom + (rows - 1 - row) * height) / total)
        axes.append(
            _bare(fig.add_axes((*corner, 1 / cols, height / total)), xlim, ylim)
        )
    return fig, axes


def box(ax, xy, text, width=1.0, height=0.6, edge=INK, fill=FILL, gid="box", size=11):
    """A rounded box centred at ``xy`` with ``text`` in it."""
    x, y = xy
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=fill,
            edgecolor=edge,
            linewidth=1.4,
            gid=gid,
        )
    )
    ax.text(x, y, text, ha="center", va="center", color=INK, fontsize=size)


def operator(ax, xy, symbol, radius=0.22, edge=INK, gid="operator", size=12):
    """A small circle at ``xy`` with an operator (``"+"``, ``"×"``) in it."""
    ax.add_patch(
        Circle(xy, radius, facecolor="white", edgecolor=edge, linewidth=1.4, gid=gid)
    )
    ax.text(*xy, symbol, ha="center", va="center", color=INK, fontsize=size)


def arrow(ax, start, end, color=FORWARD, gid="forward", rad=0.0, width=1.4, head=True):
    """An arrow from ``start`` to ``end`` (a plain line if not ``head``); ``rad``
    bends it (0: straight)."""
    patch = FancyArrowPatch(
        start,
        end,
        arrowstyle="-|>" if head else "-",
        mutation_scale=12,
        color=color,
        linewidth=width,
        connectionstyle=f"arc3,rad={rad}",
        shrinkA=0,
        shrinkB=0,
        gid=gid,
    )
    ax.add_patch(patch)
    return patch


def label(ax, xy, text, color=INK, size=10, **kw):
    """Text centred at ``xy``."""
    kw = {"ha": "center", "va": "center", **kw}
    return ax.text(*xy, text, color=color, fontsize=size, **kw)


def legend(ax, handles, loc="lower center", ncol=2, **kw):
    """A frameless legend of ``handles`` in dark grey text."""
    return ax.legend(
        handles=handles,
        loc=loc,
        ncol=ncol,
        frameon=False,
        fontsize=9,
        labelcolor=INK,
        handlelength=2.2,
        **kw,
    )
