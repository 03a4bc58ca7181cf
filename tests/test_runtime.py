import pytest
import torch

from lib import runtime


def test_by_size_follows_the_switch(monkeypatch):
    for size, expected in [("smoke", 1), ("book", 2), ("full", 3)]:
        monkeypatch.setenv("BOOK_SIZE", size)
        assert runtime.by_size(smoke=1, book=2, full=3) == expected


def test_default_size_is_book(monkeypatch):
    monkeypatch.delenv("BOOK_SIZE", raising=False)
    assert runtime.experiment_size() == "book"


def test_unknown_size_is_an_error(monkeypatch):
    monkeypatch.setenv("BOOK_SIZE", "huge")
    with pytest.raises(ValueError, match="smoke, book, full"):
        runtime.experiment_size()


def test_device_is_cuda_only_when_present():
    assert runtime.default_device().type == (
        "cuda" if torch.cuda.is_available() else "cpu"
    )


def test_seed_everything_reproduces():
    a = torch.randn(3, generator=runtime.seed_everything(7))
    b = torch.randn(3, generator=runtime.seed_everything(7))
    assert torch.equal(a, b)


def test_the_seed_offset_shifts_every_seed(monkeypatch):
    monkeypatch.delenv(runtime.SEED_OFFSET_VARIABLE, raising=False)
    assert runtime.seed_offset() == 0
    seven = torch.randn(3, generator=runtime.seeded_generator(7))
    runtime.seed_everything(7)
    global_seven = torch.randn(3)
    monkeypatch.setenv(runtime.SEED_OFFSET_VARIABLE, "-2")
    assert runtime.seed_offset() == -2
    nine = torch.randn(3, generator=runtime.seeded_generator(9))
    runtime.seed_everything(9)
    assert torch.equal(seven, nine)  # 9 - 2 is 7
    assert torch.equal(global_seven, torch.randn(3))
    assert "seeds shifted by -2" in runtime.describe()


def test_a_seed_offset_that_is_not_an_integer_is_an_error(monkeypatch):
    monkeypatch.setenv(runtime.SEED_OFFSET_VARIABLE, "one")
    with pytest.raises(ValueError, match="BOOK_SEED_OFFSET='one'"):
        runtime.seed_everything(0)


@pytest.mark.parametrize(
    "variable,progress,hidden",
    [
        ("1", None, True),
        ("", None, False),
        ("1", True, False),
        ("", False, True),
    ],
)
def test_progress_bar_follows_the_switch_unless_told(
    monkeypatch, variable, progress, hidden
):
    monkeypatch.setenv("TQDM_DISABLE", variable)
    bar = runtime.progress_bar(range(1, 4), "steps", progress)
    try:
        assert bar.disable is hidden
        assert hidden or (bar.desc == "steps" and not bar.leave)  # named, then gone
        assert list(bar) == [1, 2, 3]
    finally:
        bar.close()
