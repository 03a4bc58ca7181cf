import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from lib.display import band, mean_std, pm, use_book_style  # noqa: E402


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
