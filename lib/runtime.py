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
SEED_OFFSET_VARIABLE = "BOOK_SEED_OFFSET"


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


def seed_offset() -> int:
    """The integer in ``BOOK_SEED_OFFSET`` (default 0), added to every seed the
    experiments use.

    Fixed seeds do not give the same numbers on another machine: CPU and GPU kernels
    differ, and training near a threshold is chaotic. Building with another offset is
    this machine's stand-in for another machine's random stream: a verdict the book
    asserts must hold under it too. The offset reaches every seed that shapes an
    experiment (weights, data, dropout), through :func:`seed_everything` and
    :func:`seeded_generator`. It leaves alone the samplers' NumPy seeds
    (``default_rng(seed)``: the same numbers on every machine, and the ones the
    temperature lab reproduces in the browser) and the seeds of drawings' layouts.
    """
    text = os.environ.get(SEED_OFFSET_VARIABLE, "").strip() or "0"
    try:
        return int(text)
    except ValueError:
        raise ValueError(
            f"{SEED_OFFSET_VARIABLE}={text!r}: expected an integer"
        ) from None


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch with ``seed + seed_offset()``, and return a CPU
    ``torch.Generator`` seeded the same."""
    seed = seed + seed_offset()
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def seeded_generator(seed: int, device: torch.device | str = "cpu") -> torch.Generator:
    """A ``torch.Generator`` on ``device`` seeded with ``seed + seed_offset()``: a
    random stream of its own, which the global one does not disturb."""
    return torch.Generator(device).manual_seed(seed + seed_offset())


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
        + (f"; seeds shifted by {seed_offset()}" if seed_offset() else "")
    )
