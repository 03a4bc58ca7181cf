"""Drawings for the recurrent chapters: the unrolled vanilla RNN with the paths its
gradient takes back through time, the LSTM cell with its gates, and a trained LSTM's
gates over one sequence.

Pure matplotlib: the two diagrams are patches, arrows and text on one bare axes with
equal aspect, drawn with the shared primitives and palette of :mod:`lib.diagrams`; the
trace is two ordinary plots. Each function returns a pyplot
figure (which also makes IPython's image formatters ready, so that ``glue`` stores a
PNG); a notebook that glues it closes it, ``plt.close(fig)``, so that it does not also
show up as a cell output. The figures have a white background and mid-tone
colours, so they read the same in a light and a dark page theme. Every patch of the
diagrams carries a ``gid`` saying what it is (``"forward"``, ``"backward"``,
``"highway"``, ``"gate-f"``, ...), by which tests (and a reader of an SVG) find it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch

from lib.diagrams import (
    BACKWARD,
    FORWARD,
    HIGHWAY,
    SIGMOID,
    TANH,
    arrow,
    box,
    label,
    legend,
    new_figure,
    operator,
)

# The unrolled vanilla RNN ---------------------------------------------------------

RNN_STEPS = ("1", "2", None, "T-1", "T")  # None: the steps left out, drawn as dots


def _subscript(step: str) -> str:
    return "{" + step + "}"


def _rnn_columns(steps: Sequence[str | None], spacing: float) -> list[tuple]:
    """(x position, step name or None) of h_0 and every step, dots narrower."""
    columns, x = [(0.0, "0")], 0.0
    for step in steps:
        x += (
            spacing
            if step is not None and columns[-1][1] is not None
            else 0.7 * spacing
        )
        columns.append((x, step))
    return columns


def _rnn_forward(ax, columns, y_x, y_h):
    """The boxes x_t, h_t and the forward arrows W_hx, W_hh between them."""
    box(ax, (columns[0][0], y_h), "$h_0$")
    for (x_prev, prev), (x, step) in zip(columns, columns[1:]):
        if step is None:
            label(ax, (x, y_h), r"$\cdots$", size=14)
            label(ax, (x, y_x), r"$\cdots$", size=14)
            continue
        sub = _subscript(step)
        box(ax, (x, y_x), f"$x_{sub}$")
        box(ax, (x, y_h), f"$h_{sub}$", edge=FORWARD)
        arrow(ax, (x, y_x + 0.3), (x, y_h - 0.3))
        label(ax, (x - 0.32, (y_x + y_h) / 2), "$W_{hx}$", color=FORWARD, ha="right")
        if prev is not None:
            start = x_prev + 0.5
            arrow(ax, (start, y_h), (x - 0.5, y_h))
            label(ax, ((start + x - 0.5) / 2, y_h - 0.28), "$W_{hh}$", color=FORWARD)


def _jacobian(step: str) -> str:
    sub = _subscript(step)
    return rf"$\mathrm{{diag}}(1 - h_{sub}^2)\,W_{{hh}}$"


def _next_step(step: str) -> str:
    """The step after ``step`` by name: '2' -> '3', 'T-1' -> 'T'."""
    return str(int(step) + 1) if step.isdigit() else "T"


def _rnn_backward(ax, columns, y_h):
    """Arcs from h_t back to h_{t-1}, each labelled with its Jacobian factor."""
    arc_y = y_h + 0.75
    for (x_prev, prev), (x, step) in zip(columns[1:], columns[2:]):
        if prev is None:  # from h_{T-1} back into the dots: the factor of the step
            step_from = step
            start, end = (x - 0.25, y_h + 0.32), (x_prev + 0.2, arc_y)
        elif step is None:  # from the dots back into h_2: the factor of step 3
            step_from = _next_step(prev)
            start, end = (x - 0.2, arc_y), (x_prev + 0.25, y_h + 0.32)
        else:
            step_from = step
            start, end = (x - 0.25, y_h + 0.32), (x_prev + 0.25, y_h + 0.32)
        arrow(ax, start, end, color=BACKWARD, gid="backward", rad=0.35)
        label(
            ax,
            ((x + x_prev) / 2, arc_y + 0.42),
            _jacobian(step_from),
            color=BACKWARD,
            size=9,
        )


def _rnn_readout(ax, x, y_h, y_p, y_loss):
    """p_T = W_ph h_T + b_p, the loss, and the gradient coming down from it."""
    box(ax, (x, y_p), "$p_T$")
    box(ax, (x, y_loss), r"$\mathcal{L}$", width=0.8)
    arrow(ax, (x - 0.15, y_h + 0.3), (x - 0.15, y_p - 0.3))
    label(ax, (x - 0.27, y_p - 0.65), "$W_{ph}$", color=FORWARD, ha="right")
    arrow(ax, (x - 0.15, y_p + 0.3), (x - 0.15, y_loss - 0.3))
    arrow(ax, (x + 0.15, y_loss - 0.3), (x + 0.15, y_p + 0.3), BACKWARD, "backward")
    label(ax, (x + 0.27, (y_p + y_loss) / 2), r"$\hat y - y$", BACKWARD, ha="left")
    arrow(ax, (x + 0.15, y_p - 0.3), (x + 0.15, y_h + 0.3), BACKWARD, "backward")
    label(ax, (x + 0.27, y_p - 0.65), r"$W_{ph}^{\top}$", BACKWARD, ha="left")


def draw_unrolled_rnn(steps: Sequence[str | None] = RNN_STEPS) -> Figure:
    """The vanilla RNN unrolled over ``steps`` (None draws the steps left out as dots).

    Forward (blue): x_t -> h_t through W_hx, h_{t-1} -> h_t through W_hh, h_T -> p_T
    through W_ph, p_T -> the loss. Backward (orange): dL/dp_T = y_hat - y, down to
    h_T through W_ph^T, then from each h_t to h_{t-1} through the Jacobian
    diag(1 - h_t^2) W_hh that labels the arc, the factors of equation (bptt-grad-whh).
    """
    spacing, y_x, y_h, y_p, y_loss = 2.9, 0.0, 2.0, 4.5, 5.9
    columns = _rnn_columns(steps, spacing)
    right = columns[-1][0]
    fig, ax = new_figure(9.0, 5.0, (-0.8, right + 1.6), (-1.25, 6.6))
    _rnn_forward(ax, columns, y_x, y_h)
    _rnn_backward(ax, columns, y_h)
    _rnn_readout(ax, right, y_h, y_p, y_loss)
    legend(
        ax,
        [
            Line2D([], [], color=FORWARD, lw=1.6, label="forward: the same weights"),
            Line2D(
                [],
                [],
                color=BACKWARD,
                lw=1.6,
                label=r"backward: $\partial L/\partial h_t$",
            ),
        ],
    )
    return fig


# The LSTM cell --------------------------------------------------------------------

LSTM_GATES = (  # name, role, nonlinearity, colour
    ("f", "forget", r"\sigma", SIGMOID),
    ("i", "input", r"\sigma", SIGMOID),
    ("g", "candidate", r"\tanh", TANH),
    ("o", "output", r"\sigma", SIGMOID),
)


def _gate(ax, xy, name, role, nonlinearity, color):
    """A gate box: its role, and its value with its nonlinearity."""
    box(
        ax,
        xy,
        f"{role}\n${name}_t = {nonlinearity}(\\cdot)$",
        width=1.35,
        height=0.9,
        edge=color,
        fill="white",
        gid=f"gate-{name}",
        size=10,
    )


def _lstm_inputs(ax, gates_x, y_bus, y_gate):
    """h_{t-1} and x_t joined on one line that feeds every gate."""
    label(ax, (-0.15, y_bus), "$h_{t-1}$", ha="right")
    arrow(ax, (0.0, y_bus), (gates_x[-1], y_bus), gid="input", head=False)
    label(ax, (1.2, -0.55), "$x_t$", va="top")
    arrow(ax, (1.2, -0.5), (1.2, y_bus), gid="input")
    for x in gates_x:
        arrow(ax, (x, y_bus), (x, y_gate - 0.45), gid="input")


def _lstm_highway(ax, x_forget, x_add, right, y):
    """c_{t-1} -> x f_t -> + i_t g_t -> c_t, and its gradient diag(f_t) back."""
    style = {"color": HIGHWAY, "gid": "highway", "width": 3.0}
    label(ax, (-0.15, y), "$c_{t-1}$", color=HIGHWAY, ha="right")
    arrow(ax, (0.0, y), (x_forget - 0.22, y), head=False, **style)
    arrow(ax, (x_forget + 0.22, y), (x_add - 0.22, y), head=False, **style)
    arrow(ax, (x_add + 0.22, y), (right, y), **style)
    label(ax, (right + 0.1, y), "$c_t$", color=HIGHWAY, ha="left")
    operator(ax, (x_forget, y), "×", edge=HIGHWAY)
    operator(ax, (x_add, y), "+", edge=HIGHWAY)
    label(
        ax,
        ((x_forget + x_add) / 2 + 1.0, y + 0.42),
        r"$c_t = f_t \odot c_{t-1} + i_t \odot g_t$",
        color=HIGHWAY,
        size=10,
    )
    back_y = y + 1.05
    arrow(ax, (x_add + 0.4, back_y), (x_forget - 0.4, back_y), BACKWARD, "backward")
    label(
        ax,
        ((x_forget + x_add) / 2, back_y + 0.32),
        r"$\partial c_t / \partial c_{t-1} = \mathrm{diag}(f_t)$: no $W$, no $\tanh'$",
        color=BACKWARD,
        size=9.5,
    )


def _lstm_output(ax, x_o, x_out, right, y_gate, y_cell):
    """h_t = tanh(c_t) x o_t, leaving to the right."""
    y_tanh = (y_gate + y_cell) / 2 + 0.15
    arrow(ax, (x_out, y_cell - 0.05), (x_out, y_tanh + 0.28), HIGHWAY, "highway")
    box(ax, (x_out, y_tanh), r"$\tanh$", width=0.9, height=0.5, edge=TANH, fill="white")
    operator(ax, (x_out, y_gate), "×")
    arrow(ax, (x_out, y_tanh - 0.25), (x_out, y_gate + 0.22))
    arrow(ax, (x_o + 0.68, y_gate), (x_out - 0.22, y_gate))
    arrow(ax, (x_out + 0.22, y_gate), (right, y_gate), gid="output")
    label(ax, (right + 0.1, y_gate), "$h_t$", ha="left")


def draw_lstm_cell() -> Figure:
    """One step of the LSTM, equations (memory-lstm).

    The four gates read h_{t-1} and x_t: f, i and o through a sigmoid (blue: a value in
    (0, 1) that multiplies), the candidate g through a tanh (pink: signed content). The
    cell state runs along the top (teal, thick): multiplied by f_t, added to i_t g_t;
    the gradient along it (orange) is diag(f_t), equation (memory-cellgrad). The output
    h_t = tanh(c_t) o_t leaves to the right.
    """
    gates_x = (2.3, 4.0, 5.7, 7.6)
    x_forget, x_add, x_out, right = gates_x[0], 4.85, 9.4, 10.6
    y_bus, y_gate, y_mult, y_cell = 0.4, 1.65, 3.05, 4.05
    fig, ax = new_figure(8.6, 5.4, (-1.2, 11.4), (-2.1, 6.2))
    ax.add_patch(
        FancyBboxPatch(
            (0.45, -0.15),
            9.6,
            5.0,
            boxstyle="round,pad=0.05,rounding_size=0.3",
            facecolor="#fafafa",
            edgecolor="#9a9a9a",
            linewidth=1.0,
            linestyle="--",
            gid="cell",
        )
    )
    _lstm_inputs(ax, gates_x, y_bus, y_gate)
    for x, (name, role, nonlinearity, color) in zip(gates_x, LSTM_GATES):
        _gate(ax, (x, y_gate), name, role, nonlinearity, color)
    # f_t multiplies the old cell state; i_t g_t is added to it
    arrow(ax, (x_forget, y_gate + 0.45), (x_forget, y_cell - 0.22))
    operator(ax, (x_add, y_mult), "×")
    arrow(ax, (gates_x[1], y_gate + 0.45), (x_add - 0.16, y_mult - 0.16))
    arrow(ax, (gates_x[2], y_gate + 0.45), (x_add + 0.16, y_mult - 0.16))
    arrow(ax, (x_add, y_mult + 0.22), (x_add, y_cell - 0.22))
    _lstm_highway(ax, x_forget, x_add, right, y_cell)
    _lstm_output(ax, gates_x[3], x_out, right, y_gate, y_cell)
    legend(
        ax,
        [
            Patch(
                facecolor="white",
                edgecolor=SIGMOID,
                lw=1.4,
                label=r"$\sigma$: in (0, 1), a switch that multiplies",
            ),
            Patch(
                facecolor="white",
                edgecolor=TANH,
                lw=1.4,
                label=r"$\tanh$: in ($-1$, 1), signed content",
            ),
            Line2D([], [], color=HIGHWAY, lw=3, label="cell state: updated by adding"),
            Line2D(
                [], [], color=BACKWARD, lw=1.6, label="gradient along the cell state"
            ),
        ],
    )
    return fig


# A trained LSTM's gates over one sequence -----------------------------------------

TRACE_COLORS = {"f": HIGHWAY, "i": SIGMOID, "o": "#8a6fb8", "g": TANH}
TRACE_NAMES = {"f": "forget $f_t$", "i": "input $i_t$", "o": "output $o_t$"}


def _trace_band(ax, t, values, color, label, **line):
    """Mean over units (line) and the middle 80% of units (band) of values (T, n)."""
    low, high = np.percentile(values, [10, 90], axis=1)
    ax.fill_between(t, low, high, color=color, alpha=0.18, linewidth=0)
    return ax.plot(t, values.mean(axis=1), color=color, label=label, **line)[0]


def draw_gate_trace(
    trace: Mapping[str, np.ndarray],
    digits: Sequence[int],
    initial_forget: np.ndarray | None = None,
    title: str | None = None,
) -> Figure:
    """The gates of an LSTM over the positions of one sequence.

    ``trace`` holds arrays (T, n) under ``"f"``, ``"i"``, ``"o"`` (the sigmoid gates)
    and ``"g"`` (the tanh candidate), one row per position; ``digits`` are the T
    symbols read, printed under the positions. Left: the three gates; right: the
    candidate; each as its mean over the n units (line) and the range of the middle
    80% of the units (band). ``initial_forget`` (T, n), if given, is the forget gate of
    the same network on the same sequence before training (dashed).
    """
    T = len(digits)
    t = np.arange(1, T + 1)
    fig = plt.figure(figsize=(9.0, 3.5), facecolor="white", layout="constrained")
    gates_ax, cand_ax = fig.subplots(1, 2, sharex=True)
    for key, name in TRACE_NAMES.items():
        _trace_band(gates_ax, t, trace[key], TRACE_COLORS[key], name, marker="o", ms=3)
    if initial_forget is not None:
        gates_ax.plot(
            t,
            initial_forget.mean(axis=1),
            color=TRACE_COLORS["f"],
            ls="--",
            label="$f_t$ before training",
        )
    gates_ax.set(ylim=(0, 1), ylabel="gate value (sigmoid)", title="gates")
    _trace_band(cand_ax, t, trace["g"], TRACE_COLORS["g"], "candidate $g_t$", ms=3)
    cand_ax.axhline(0, color="#9a9a9a", lw=0.8)
    cand_ax.set(ylim=(-1, 1), ylabel="candidate (tanh)", title="candidate")
    for ax in (gates_ax, cand_ax):
        ax.set_facecolor("white")
        ax.set_xticks(t, [f"{k}\n{d}" for k, d in zip(t, digits)])
        ax.set_xlabel("position t, digit read")
        ax.legend(fontsize=8, loc="lower right")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
