"""lib.display: figures, mean +/- std, Markdown tables and glue."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from lib.display import band, glue, markdown_table, mean_std, pm, use_book_style


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
