"""The temperature lab: a character model under a temperature slider, live or in a page.

The chapter "The temperature lab" (after chapter 4, the generative LSTM). One set of
controls (:mod:`~lib.text.templab.settings`), two labs: **live**
(:mod:`~lib.text.templab.live`: ipywidgets driving :class:`lib.text.sampling.Sampler`
in the kernel, with the SVG charts of :mod:`~lib.text.templab.pictures`) and **static**
(:mod:`~lib.text.templab.static`: one HTML element for the rendered book, carrying the
weights and limits of :mod:`~lib.text.templab.payload` and ``templab.js``, which runs
the same computation in the reader's browser).
"""

from lib.text.templab.live import LiveLab, show_live, update_times
from lib.text.templab.payload import (
    PAYLOAD_FORMAT,
    decode_payload,
    encode_payload,
    model_from_weights,
    weights_sha256,
)
from lib.text.templab.pictures import bars_svg, curve_svg, entropy_curve, shown_char
from lib.text.templab.settings import (
    CONVENTIONS,
    CURVE_POINTS,
    MAX_LENGTH,
    MAX_SEED,
    SLIDER,
    TAU_RANGE,
    TOP_SHOWN,
    LabSettings,
    axis_ticks,
    check_settings,
    lab_limits,
    lab_settings,
    setting_name,
    value_range,
)
from lib.text.templab.static import StaticLab, lab_javascript, static_lab

__all__ = [
    "CONVENTIONS",
    "CURVE_POINTS",
    "MAX_LENGTH",
    "MAX_SEED",
    "PAYLOAD_FORMAT",
    "SLIDER",
    "TAU_RANGE",
    "TOP_SHOWN",
    "LabSettings",
    "LiveLab",
    "StaticLab",
    "axis_ticks",
    "bars_svg",
    "check_settings",
    "curve_svg",
    "decode_payload",
    "encode_payload",
    "entropy_curve",
    "lab_javascript",
    "lab_limits",
    "lab_settings",
    "model_from_weights",
    "setting_name",
    "show_live",
    "shown_char",
    "static_lab",
    "update_times",
    "value_range",
    "weights_sha256",
]
