"""lib.display: figures, log axes, mean +/- std, Markdown tables and glue."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from lib.display import (
    band,
    glue,
    log_axis,
    markdown_table,
    mean_std,
    pm,
    show_table,
    text_table,
    use_book_style,
)


def test_mean_std_over_seeds():
    mean, std = mean_std([[1, 2], [3, 4]])
    assert np.allclose(mean, [2, 3]) and np.allclose(std, [1, 1])


def test_pm_text():
    assert pm([0.8, 0.9]) == "0.850 ± 0.050"


def test_band_draws_mean_and_spread():
    use_book_style()
    fig, ax = plt.subplots()
    line = band(ax, [0, 1, 2], [[0, 1, 2], [2, 3, 4]], label="x")
    assert np.allclose(line.get_ydata(), [1, 2, 3]) and len(ax.collections) == 1
    plt.close(fig)


def test_markdown_table():
    assert markdown_table(["a", "b"], [[1, 2.5]]) == "| a | b |\n|---|---|\n| 1 | 2.5 |"


def test_markdown_table_keeps_a_pipe_in_its_cell():
    table = markdown_table(["largest |c|"], [["a\nb"]])
    assert table == "| largest \\|c\\| |\n|---|\n| a b |"
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(table)
    assert "<th>largest |c|</th>" in html, html


def test_text_table_is_aligned():
    assert text_table(["a", "bb"], [[1, 2.5], ["long", 3]]).splitlines() == [
        "a     bb",
        "----  ---",
        "1     2.5",
        "long  3",
    ]


def test_show_table_prints_text_without_ipython(capsys):
    show_table(["a", "bb"], [[1, 2.5]])  # pytest runs no IPython shell
    assert capsys.readouterr().out.splitlines() == ["a  bb", "-  ---", "1  2.5"]


def test_show_table_displays_markdown_and_text_in_a_notebook(monkeypatch):
    import IPython
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(
        IPython.display, "display", lambda obj, raw=False: shown.append((obj, raw))
    )
    show_table(["a"], [[1]])
    assert shown == [
        ({"text/markdown": "| a |\n|---|\n| 1 |", "text/plain": "a\n-\n1"}, True)
    ]


def test_ragged_rows_are_an_error():
    with pytest.raises(ValueError, match="2 cells"):
        markdown_table(["a", "b"], [[1]])


def test_glue_shows_the_value_without_myst_nb(monkeypatch, capsys):
    import builtins

    real_import = builtins.__import__

    def no_myst_nb(name, *args, **kwargs):
        if name == "myst_nb":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_myst_nb)
    glue("answer", 42)
    glue("hidden", 7, display=False)
    assert capsys.readouterr().out.split() == ["42"]


def _labels(axis, minor):
    return [t.get_text() for t in axis.get_ticklabels(minor=minor)]


@pytest.mark.parametrize(
    "values", [(0.3, 8.0), (0.28, 0.84), (1e-12, 3.0), (5.0, 50.0), (2.0, 3.0)]
)
def test_log_axis_labels_no_minor_tick(values):
    """Within two decades matplotlib labels minor ticks ("6 x 10^0"); log_axis never
    does, and always leaves two labels or more."""
    use_book_style()
    fig, ax = plt.subplots()
    ax.plot([0, 1], values)
    ax.set(yscale="log")
    fig.canvas.draw()
    if values[1] / values[0] < 100:
        assert any(_labels(ax.yaxis, minor=True)), "matplotlib labels minor ticks"
    log_axis(ax, "y")
    fig.canvas.draw()
    lo, hi = ax.get_ylim()
    major = [
        t.get_text()
        for t in ax.yaxis.get_ticklabels()
        if lo <= t.get_position()[1] <= hi
    ]
    assert not any(_labels(ax.yaxis, minor=True))
    assert len([m for m in major if m]) >= 2, major
    assert not any("times" in m for m in major), major  # no "6 x 10^0"
    plt.close(fig)


def test_log_axis_keeps_ticks_set_by_hand_and_a_secondary_axis():
    use_book_style()
    fig, ax = plt.subplots()
    ax.plot([5, 50], [0, 1])
    ax.set(xscale="log")
    ax.set_xticks([5, 10, 20, 50], ["5", "10", "20", "50"])
    log_axis(ax, "x")

    def inverse(x):
        with np.errstate(divide="ignore"):
            return 1 / np.asarray(x, dtype=float)

    top = ax.secondary_xaxis("top", functions=(inverse, inverse))
    log_axis(top, "x")
    fig.canvas.draw()
    assert _labels(ax.xaxis, minor=False) == ["5", "10", "20", "50"]
    assert not any(_labels(ax.xaxis, minor=True))
    assert not any(_labels(top.xaxis, minor=True))
    assert top.xaxis.get_scale() == "functionlog"
    plt.close(fig)


def test_log_axis_sets_the_scale_on_both_axes():
    fig, ax = plt.subplots()
    ax.plot([1, 1000], [1e-3, 1e3])
    log_axis(ax, "both")
    fig.canvas.draw()
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert "10^{0}" in "".join(_labels(ax.xaxis, minor=False))
    assert not any(_labels(ax.yaxis, minor=True) + _labels(ax.xaxis, minor=True))
    plt.close(fig)
