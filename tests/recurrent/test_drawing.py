"""The chapters' drawings draw (every label's mathtext parses) on a white background,
with the boxes, arrows and labels the captions describe."""

import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba

from lib.recurrent import draw_gate_trace, draw_lstm_cell, draw_unrolled_rnn
from lib.recurrent.drawing import BACKWARD, FORWARD, HIGHWAY, SIGMOID, TANH


def rendered(fig) -> bytes:
    """The figure as PNG bytes: drawing it parses every mathtext label."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def patches(fig, gid: str) -> list:
    return [p for p in fig.axes[0].patches if p.get_gid() == gid]


DRAWINGS = [draw_unrolled_rnn, draw_lstm_cell]


pytestmark = pytest.mark.usefixtures("close_figures")


@pytest.mark.parametrize("draw", DRAWINGS, ids=lambda f: f.__name__)
def test_draws_on_white(draw):
    before = plt.get_fignums()
    fig = draw()
    assert plt.get_fignums() == [*before, fig.number], "one new pyplot figure"
    assert rendered(fig).startswith(b"\x89PNG")
    assert to_rgba(fig.get_facecolor()) == to_rgba("white")
    assert to_rgba(fig.axes[0].get_facecolor()) == to_rgba("white")


@pytest.mark.parametrize("draw", DRAWINGS, ids=lambda f: f.__name__)
def test_no_pure_black_text(draw):
    """Text is dark grey or a mid-tone colour, never pure black."""
    fig = draw()
    for text in [t for ax in fig.axes for t in ax.texts]:
        assert to_rgba(text.get_color()) != to_rgba("black"), text.get_text()


def test_unrolled_rnn_labels_and_arrows():
    fig = draw_unrolled_rnn()
    labels = texts(fig)
    for label in ["$x_{1}$", "$h_0$", "$h_{T-1}$", "$h_{T}$", "$p_T$", "$W_{ph}$"]:
        assert label in labels, f"missing {label}; have {labels}"
    # the same weights at every step: one W_hx label per step drawn, one W_hh per link
    assert labels.count("$W_{hx}$") == 4
    assert labels.count("$W_{hh}$") == 3  # h_0 -> h_1 -> h_2 and h_{T-1} -> h_T
    jacobians = [t for t in labels if t.startswith(r"$\mathrm{diag}")]
    assert jacobians == [
        r"$\mathrm{diag}(1 - h_{2}^2)\,W_{hh}$",
        r"$\mathrm{diag}(1 - h_{3}^2)\,W_{hh}$",
        r"$\mathrm{diag}(1 - h_{T-1}^2)\,W_{hh}$",
        r"$\mathrm{diag}(1 - h_{T}^2)\,W_{hh}$",
    ]
    backward = patches(fig, "backward")
    assert len(backward) == len(jacobians) + 2  # + loss -> p_T -> h_T
    assert all(to_rgba(p.get_edgecolor()) == to_rgba(BACKWARD) for p in backward)
    forward = patches(fig, "forward")
    assert all(to_rgba(p.get_edgecolor()) == to_rgba(FORWARD) for p in forward)
    assert len(forward) == 4 + 3 + 2  # x_t -> h_t, h -> h, h_T -> p_T -> loss


def test_unrolled_rnn_without_dots():
    fig = draw_unrolled_rnn(steps=("1", "2", "3"))
    labels = texts(fig)
    assert r"$\cdots$" not in labels
    assert labels.count("$W_{hh}$") == 3
    assert len(patches(fig, "backward")) == 2 + 2
    rendered(fig)


def test_lstm_cell_gates_highway_and_gradient():
    fig = draw_lstm_cell()
    gates = {
        p.get_gid(): p
        for p in fig.axes[0].patches
        if p.get_gid() and "gate-" in p.get_gid()
    }
    assert set(gates) == {"gate-f", "gate-i", "gate-g", "gate-o"}
    # sigmoid gates in one colour, the tanh candidate in another
    for name in "fio":
        assert to_rgba(gates[f"gate-{name}"].get_edgecolor()) == to_rgba(SIGMOID)
    assert to_rgba(gates["gate-g"].get_edgecolor()) == to_rgba(TANH)
    labels = texts(fig)
    for role in ["forget", "input", "candidate", "output"]:
        assert any(t.startswith(role) for t in labels), f"no {role} gate label"
    assert r"$c_t = f_t \odot c_{t-1} + i_t \odot g_t$" in labels
    assert any(r"\mathrm{diag}(f_t)" in t for t in labels)
    highway = patches(fig, "highway")
    assert len(highway) >= 3 and all(
        to_rgba(p.get_edgecolor()) == to_rgba(HIGHWAY) for p in highway
    )
    assert len(patches(fig, "backward")) == 1
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(r"$\sigma$" in t for t in legend) and any(
        r"$\tanh$" in t for t in legend
    )


def test_gate_trace():
    rng = np.random.default_rng(0)
    T, n = 9, 16
    trace = {key: rng.uniform(0, 1, (T, n)) for key in "fio"}
    trace["g"] = rng.uniform(-1, 1, (T, n))
    digits = list(range(T))
    fig = draw_gate_trace(
        trace, digits, initial_forget=np.full((T, n), 0.73), title="t"
    )
    gates_ax, cand_ax = fig.axes
    assert gates_ax.get_ylim() == (0, 1) and cand_ax.get_ylim() == (-1, 1)
    gate_lines = [line.get_label() for line in gates_ax.get_lines()]
    assert gate_lines == [
        "forget $f_t$",
        "input $i_t$",
        "output $o_t$",
        "$f_t$ before training",
    ]
    means = {line.get_label(): line.get_ydata() for line in gates_ax.get_lines()}
    np.testing.assert_allclose(means["forget $f_t$"], trace["f"].mean(axis=1))
    np.testing.assert_allclose(means["$f_t$ before training"], 0.73)
    ticks = [t.get_text() for t in gates_ax.get_xticklabels()]
    assert ticks == [f"{t + 1}\n{d}" for t, d in enumerate(digits)]
    assert rendered(fig).startswith(b"\x89PNG")
    assert to_rgba(fig.get_facecolor()) == to_rgba("white")


def test_gate_trace_without_initial_forget():
    rng = np.random.default_rng(1)
    trace = {key: rng.uniform(0, 1, (5, 4)) for key in "figo"}
    fig = draw_gate_trace(trace, [1, 2, 3, 4, 5])
    assert len(fig.axes[0].get_lines()) == 3
    rendered(fig)
