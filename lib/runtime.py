"""Where an experiment runs and how big it is.

Every experiment in the book has three sizes behind one switch, the environment variable
``BOOK_SIZE``:

* ``smoke``: seconds per notebook; what the tests execute.
* ``book`` (default): what the rendered book shows, built on a 2-core CPU in minutes.
* ``full``: the course's settings, meant for a GPU.

The same code runs at every size; only the numbers passed to it change, and they are
chosen in one place per experiment with :func:`by_size`.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterable

import numpy as np
import torch
from tqdm.auto import tqdm

SIZES = ("smoke", "book", "full")
SIZE_VARIABLE = "BOOK_SIZE"


def experiment_size() -> str:
    """The size named by ``BOOK_SIZE`` (default ``book``); anything else is an error."""
    size = os.environ.get(SIZE_VARIABLE, "book").strip().lower() or "book"
    if size not in SIZES:
        raise ValueError(
            f"{SIZE_VARIABLE}={size!r}: expected one of {', '.join(SIZES)}"
        )
    return size


def by_size(smoke, book, full):
    """Pick the value for the current experiment size.

    >>> steps = by_size(smoke=50, book=2_000, full=10_000)
    """
    return {"smoke": smoke, "book": book, "full": full}[experiment_size()]


def default_device() -> torch.device:
    """``cuda`` when a GPU is present, else ``cpu``; code never assumes either."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch, and return a CPU ``torch.Generator`` seeded the
    same."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def progress_disabled() -> bool:
    """Progress bars are shown to people and hidden in tests and builds
    (``TQDM_DISABLE=1``)."""
    return os.environ.get("TQDM_DISABLE", "").strip().lower() in ("1", "true", "yes")


def progress_bar(iterable: Iterable, desc: str, progress: bool | None = None) -> tqdm:
    """A tqdm bar over ``iterable`` that disappears when the loop ends.

    ``progress=True`` shows it, ``False`` hides it, ``None`` (the default) hides it when
    :func:`progress_disabled` says so. Every training loop of the book counts its steps
    with ``progress_bar(range(1, steps + 1), desc, progress)``.
    """
    disable = progress_disabled() if progress is None else not progress
    return tqdm(iterable, desc=desc, leave=False, disable=disable)


def describe() -> str:
    """One line saying where and how big: printed at the top of every notebook."""
    device = default_device()
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    return (
        f"experiment size: {experiment_size()} ({SIZE_VARIABLE}); device: {device} "
        f"({name}); torch {torch.__version__}, {torch.get_num_threads()} threads"
    )
