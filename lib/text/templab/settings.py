"""What the temperature lab's controls can show, and the limits of each control.

The chapter "The temperature lab" has one set of controls for both labs: the
temperature on a logarithmic slider (τ from 0.05 to 5) or greedy decoding (τ = 0), the
convention (divide the logits by τ, or multiply them by beta = 1/τ: two names for the
same distributions), the prompt, the length, the seed and top-k. :class:`LabSettings`
is one position of those controls and :func:`lab_settings` checks it. The limits are
stated here once: the live lab (:mod:`lib.text.templab.live`) and the charts
(:mod:`lib.text.templab.pictures`) read these constants, and the browser's JavaScript
reads them from the payload (:func:`lab_limits`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from lib.text.corpus import Vocabulary
from lib.text.sampling import check_temperature

TAU_RANGE = (0.05, 5.0)  # the temperatures a lab accepts (beta: 0.2 to 20)
SLIDER = (-1.3, 0.7, 0.01)  # log10 τ on the slider: min, max, step (τ = 1 is a step)
MAX_LENGTH = 2000  # characters in a sample
MAX_SEED = 2**32 - 1  # seeds: 0 to MAX_SEED (numpy.random.default_rng takes more)
TOP_SHOWN = 20  # bars in the distribution chart
CURVE_POINTS = 121  # temperatures on the entropy curve
CONVENTIONS = ("tau", "beta")  # divide by the temperature τ, or multiply by beta = 1/τ


@dataclass(frozen=True)
class LabSettings:
    """What the controls show. ``tau`` is the temperature τ (the slider shows
    beta = 1/τ when convention is ``"beta"``); with ``greedy`` the lab decodes at τ = 0
    and the slider keeps ``tau``."""

    prompt: str = "ROMEO:\n"
    tau: float = 1.0
    greedy: bool = False
    convention: str = "tau"
    length: int = 200
    seed: int = 0
    top_k: int | None = None


def lab_settings(
    vocab: Vocabulary,
    prompt: str = "ROMEO:\n",
    temperature: float | None = None,
    beta: float | None = None,
    convention: str = "tau",
    length: int = 200,
    seed: int = 0,
    top_k: int | None = None,
) -> LabSettings:
    """Checked settings for a lab over ``vocab``: τ from ``temperature`` or ``beta``
    (τ = 0 is greedy), a prompt the model can read, 1 <= length <= MAX_LENGTH,
    0 <= seed <= MAX_SEED, top-k in [1, V] or None."""
    tau = check_temperature(temperature, beta)
    settings = LabSettings(
        prompt, 1.0 if tau == 0 else tau, tau == 0, convention, length, seed, top_k
    )
    return check_settings(vocab, settings)


def check_settings(vocab: Vocabulary, s: LabSettings) -> LabSettings:
    """``s`` if a lab over ``vocab`` can show it, else a ValueError saying what is
    wrong."""
    check_temperature(s.tau)
    low, high = TAU_RANGE
    if not low <= s.tau <= high:
        raise ValueError(
            f"τ = {s.tau:g}: the lab's slider spans τ = {low} to {high} "
            f"(beta = {1 / high:g} to {1 / low:g}); τ = 0 is greedy"
        )
    if s.convention not in CONVENTIONS:
        raise ValueError(
            f"convention={s.convention!r}: expected 'tau' (divide the "
            f"logits by the temperature τ) or 'beta' (multiply them by beta = 1/τ)"
        )
    if not isinstance(s.prompt, str) or not s.prompt:
        raise ValueError("the prompt must be a non-empty string")
    vocab.encode(s.prompt)  # unknown characters: a clear error, now
    _check_int("length", s.length, 1, MAX_LENGTH)
    _check_int("seed", s.seed, 0, MAX_SEED)
    if s.top_k is not None:
        _check_int("top_k", s.top_k, 1, len(vocab))
    return replace(
        s,
        tau=float(s.tau),
        greedy=bool(s.greedy),
        length=int(s.length),
        seed=int(s.seed),
        top_k=None if s.top_k is None else int(s.top_k),
    )


def _check_int(name: str, value, low: int, high: int) -> None:
    whole = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if not whole or not low <= value <= high:
        raise ValueError(
            f"{name}={value!r}: expected a whole number from {low} to {high}"
        )


def setting_name(s: LabSettings) -> str:
    """'τ = 0.5', 'β = 2', 'τ = 0 (greedy)', ...: the setting as the displays write
    it."""
    if s.greedy:
        return "β = ∞ (greedy)" if s.convention == "beta" else "τ = 0 (greedy)"
    return f"β = {1 / s.tau:.3g}" if s.convention == "beta" else f"τ = {s.tau:.3g}"


# ------------------------------------------------------------------ the slider's scale
def value_range(convention: str) -> tuple[float, float]:
    """The slider's two ends: τ in TAU_RANGE, or beta = 1/τ (0.2 to 20)."""
    if convention not in CONVENTIONS:
        raise ValueError(f"convention={convention!r}: expected one of {CONVENTIONS}")
    low, high = TAU_RANGE
    return (1 / high, 1 / low) if convention == "beta" else (low, high)


def axis_ticks(convention: str) -> list[float]:
    """The 1-2-5 values within :func:`value_range`, where the entropy curve's axis is
    marked: 0.05, 0.1, 0.2, 0.5, 1, 2, 5 for τ; 0.2, 0.5, ..., 20 for beta."""
    low, high = value_range(convention)
    decades = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    ticks = (round(m * 10.0**e, 12) for e in decades for m in (1, 2, 5))
    return [t for t in ticks if low * (1 - 1e-9) <= t <= high * (1 + 1e-9)]


def lab_limits() -> dict:
    """Every limit the browser's JavaScript needs, as JSON values (the payload carries
    them): the temperatures, the slider (log10 τ: min, max, step), the ranges of length
    and seed, the bars shown, the points of the entropy curve and its axis ticks."""
    return {
        "tau": list(TAU_RANGE),
        "slider": list(SLIDER),
        "length": [1, MAX_LENGTH],
        "seed": [0, MAX_SEED],
        "top_shown": TOP_SHOWN,
        "curve_points": CURVE_POINTS,
        "ticks": {convention: axis_ticks(convention) for convention in CONVENTIONS},
    }
