"""Drawings of chapter 4's decoders: the tree a beam search grows
(:func:`draw_beam_tree`).

Pure matplotlib, on a white figure, so that it reads the same in the book's light and
dark themes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from lib.text.sampling import BeamTree, one_line

KEPT = {"face": "#d6e6f5", "edge": "#2b5d8a", "text": "#111111"}
PRUNED = {"face": "#f3f3f3", "edge": "#c4c4c4", "text": "#9a9a9a"}
BEST = "#d55e00"  # orange: the final best sequence
MINUS = "\N{MINUS SIGN}"


def node_label(char: str, log_prob: float) -> str:
    """A candidate's box: its character (a space as ␣, a line break as ↵) over its
    cumulative log-probability, two decimals."""
    return f"{one_line(char, spaces=True)}\n{log_prob:.2f}".replace("-", MINUS)


def tree_layout(tree: BeamTree) -> dict[int, tuple[float, float]]:
    """(x, y) of every node: x its step, y stacked top to bottom within the step,
    grouped by parent in the parents' order, a group best first. Edges never cross."""
    pos = {0: (0.0, 0.0)}
    last = max(node.step for node in tree.nodes)
    for step in range(1, last + 1):
        column = [i for i, node in enumerate(tree.nodes) if node.step == step]
        column.sort(
            key=lambda i: (-pos[tree.nodes[i].parent][1], -tree.nodes[i].log_prob)
        )
        top = (len(column) - 1) / 2
        for k, i in enumerate(column):
            pos[i] = (float(step), top - k)
    return pos


def draw_beam_tree(
    tree: BeamTree, ax: plt.Axes | None = None, column_width: float = 1.25
) -> Figure:
    """The search of ``tree`` (:meth:`~lib.text.sampling.Sampler.beam_search_tree`):
    one box per candidate, labelled with its character and log P(prefix | prompt);
    the kept prefixes blue, the pruned grey and faded, the final best sequence framed
    and linked in orange. Returns the figure."""
    last = max(node.step for node in tree.nodes)
    pos = tree_layout(tree)
    height = max(len([n for n in tree.nodes if n.step == s]) for s in range(last + 1))
    if ax is None:
        fig, ax = plt.subplots(
            figsize=(1.6 + column_width * last, 1.3 + 0.5 * height),
            facecolor="white",
        )
    fig = ax.figure
    fig.set_facecolor("white")
    ax.set_facecolor("white")
    best = set(tree.best_path)
    for i, node in enumerate(tree.nodes[1:], start=1):
        (x0, y0), (x1, y1) = pos[node.parent], pos[i]
        on_path = i in best
        ax.plot(
            [x0, x1],
            [y0, y1],
            color=BEST if on_path else (KEPT if node.kept else PRUNED)["edge"],
            lw=2.4 if on_path else (1.2 if node.kept else 0.8),
            ls="-" if node.kept else "--",
            zorder=2 if on_path else 1,
        )
    for i, node in enumerate(tree.nodes):
        style = KEPT if node.kept else PRUNED
        text = (
            one_line(tree.prompt, spaces=True)
            if i == 0
            else node_label(node.char, node.log_prob)
        )
        ax.text(
            *pos[i],
            text,
            ha="center",
            va="center",
            fontsize=8.5,
            color=style["text"],
            zorder=3,
            linespacing=1.1,
            bbox={
                "boxstyle": "round,pad=0.3",
                "facecolor": style["face"],
                "edgecolor": BEST if i in best else style["edge"],
                "linewidth": 2.0 if i in best else 0.8,
            },
        )
    top = (height - 1) / 2 + 0.8
    for step in range(1, last + 1):
        ax.text(step, top, f"step {step}", ha="center", va="bottom", fontsize=8.5)
    ax.set_xlim(-0.6, last + 0.5)
    ax.set_ylim(-(height - 1) / 2 - 0.6, top + 0.5)
    ax.axis("off")
    best_beam = tree.beams[0]
    ax.legend(
        handles=[
            Patch(fc=KEPT["face"], ec=KEPT["edge"], label="kept in the beam"),
            Patch(fc=PRUNED["face"], ec=PRUNED["edge"], label="pruned"),
            Line2D(
                [],
                [],
                color=BEST,
                lw=2.4,
                label=(
                    f"best: {one_line(best_beam.text, spaces=True)!r}, "
                    f"log P = {best_beam.log_prob:.2f}".replace("-", MINUS)
                ),
            ),
        ],
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=3,
        fontsize=8.5,
        frameon=False,
    )
    return fig
