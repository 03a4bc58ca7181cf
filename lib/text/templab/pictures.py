"""The live temperature lab's two charts, drawn as SVG text.

The chapter "The temperature lab" shows, for the current setting, the distribution of
the next character (:func:`bars_svg`: P_τ of the TOP_SHOWN most likely characters over
the model's own P_1) and the entropy of that distribution against the temperature,
with the current setting marked (:func:`curve_svg`, over the grid of
:func:`entropy_curve`). The live lab (:mod:`lib.text.templab.live`) puts these strings
into its widgets; the browser lab draws the same charts itself, in
``lib/text/templab/templab.js``.
"""

from __future__ import annotations

import html
import json
import math

import numpy as np

from lib.text.sampling import entropy_bits, one_line, softmax_with_temperature
from lib.text.templab.settings import (
    CURVE_POINTS,
    TOP_SHOWN,
    LabSettings,
    axis_ticks,
    value_range,
)

_SVG_NAMESPACE = "http://www.w3.org/2000/svg"


def _svg(children: list[str], label: str) -> str:
    return (
        f'<svg viewBox="0 0 420 230" role="img" aria-label="{label}" '
        f'style="width:100%;height:auto;display:block" xmlns="{_SVG_NAMESPACE}">'
        + "".join(children)
        + "</svg>"
    )


def _text(x, y, text, size=11, anchor="start", extra="") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="currentColor" {extra}>{html.escape(text)}</text>'
    )


def _y_label(y, text) -> str:
    return _text(12, y, text, anchor="middle", extra=f'transform="rotate(-90 12 {y})"')


def shown_char(ch: str) -> str:
    """A character as the charts label it: :func:`lib.text.sampling.one_line` with
    spaces shown, so that line break, tab and space are visible (↵, ⇥, ␣)."""
    return one_line(ch, spaces=True)


def bars_svg(chars, P: np.ndarray, P1: np.ndarray) -> str:
    """P_τ (filled) and P_1 (dashed outline) of the TOP_SHOWN (20) characters the model
    ranks highest."""
    order = sorted(range(len(P1)), key=lambda v: (-P1[v], v))[:TOP_SHOWN]
    x0, y0, height, width = 36, 200, 180, 376 / TOP_SHOWN
    y = lambda p: y0 - p * height
    out = []
    for tick in (0, 0.25, 0.5, 0.75, 1):
        out.append(
            f'<line x1="{x0}" x2="414" y1="{y(tick)}" y2="{y(tick)}" '
            f'stroke="currentColor" stroke-opacity="0.15"/>'
        )
        out.append(_text(x0 - 4, y(tick) + 4, f"{tick:g}", anchor="end"))
    for i, v in enumerate(order):
        x, ch = x0 + i * width + 2, chars[v]
        tip = f"{json.dumps(ch)}: P_τ = {P[v]:.4f}, P_1 = {P1[v]:.4f}"
        out.append(
            f'<rect x="{x:.1f}" width="{width - 4:.1f}" y="{y(P[v]):.2f}" '
            f'height="{P[v] * height:.2f}" fill="#1f77b4">'
            f"<title>{html.escape(tip)}</title></rect>"
        )
        out.append(
            f'<rect x="{x:.1f}" width="{width - 4:.1f}" y="{y(P1[v]):.2f}" '
            f'height="{P1[v] * height:.2f}" fill="none" stroke="currentColor" '
            f'stroke-opacity="0.6" stroke-dasharray="3 2"/>'
        )
        out.append(
            _text(
                x + (width - 4) / 2,
                y0 + 16,
                shown_char(ch),
                13,
                "middle",
                'font-family="monospace"',
            )
        )
    out.append(_y_label(110, "probability"))
    return _svg(out, "next-character distribution")


def entropy_curve(logits: np.ndarray, convention: str, top_k: int | None):
    """(x, H): the slider's values (τ, or beta = 1/τ) on a log grid of CURVE_POINTS and
    the entropy in bits of softmax(logits / τ) with top-k at each."""
    low, high = value_range(convention)
    x = low * (high / low) ** (np.arange(CURVE_POINTS) / (CURVE_POINTS - 1))
    temperatures = x if convention == "tau" else 1 / x
    scaled = np.asarray(logits, dtype=np.float64)[None, :] / temperatures[:, None]
    P = softmax_with_temperature(scaled, 1.0, top_k=top_k)  # (CURVE_POINTS, V)
    return x, entropy_bits(P)  # row by row


def curve_svg(logits: np.ndarray, s: LabSettings, H_now: float, V: int) -> str:
    """Entropy against the slider's value, log scale; the red dot is the current
    setting."""
    beta = s.convention == "beta"
    low, high = value_range(s.convention)
    x0, x1, y0, H_max = 36, 410, 190, math.log2(V)
    decades = math.log10(high / low)
    px = lambda v: x0 + math.log10(v / low) / decades * (x1 - x0)
    py = lambda h: y0 - h / H_max * 170
    out = []
    levels = [(H_max, f"uniform: log2 {V}")]
    if s.top_k and s.top_k < V:
        levels.append((math.log2(s.top_k), f"top-k cap: log2 {s.top_k}"))
    for h, name in levels:
        out.append(
            f'<line x1="{x0}" x2="{x1}" y1="{py(h):.1f}" y2="{py(h):.1f}" '
            f'stroke="currentColor" stroke-opacity="0.5" '
            f'stroke-dasharray="4 3"/>'
        )
        out.append(_text(x0 + 4, py(h) - 4, name))
    for tick in axis_ticks(s.convention):
        out.append(
            f'<line x1="{px(tick):.1f}" x2="{px(tick):.1f}" y1="{y0}" '
            f'y2="{y0 + 4}" stroke="currentColor"/>'
        )
        out.append(_text(px(tick), y0 + 16, f"{tick:g}", anchor="middle"))
    out.append(f'<line x1="{x0}" x2="{x1}" y1="{y0}" y2="{y0}" stroke="currentColor"/>')
    axis = (
        "β = 1/τ (multiply the logits), log scale"
        if beta
        else "τ (divide the logits), log scale"
    )
    out.append(_text((x0 + x1) / 2, 226, axis, 12, "middle"))
    out.append(_y_label(105, "entropy (bits)"))
    x, H = entropy_curve(logits, s.convention, s.top_k)
    points = " ".join(f"{px(v):.1f},{py(h):.1f}" for v, h in zip(x, H, strict=True))
    out.append(
        f'<polyline points="{points}" fill="none" stroke="#1f77b4" stroke-width="2"/>'
    )
    here = (x1 if beta else x0) if s.greedy else px(1 / s.tau if beta else s.tau)
    out.append(f'<circle cx="{here:.1f}" cy="{py(H_now):.1f}" r="5" fill="#d62728"/>')
    return _svg(out, "entropy against temperature")
