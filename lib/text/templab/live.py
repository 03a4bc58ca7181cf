"""The live temperature lab: ipywidgets controls driving the sampler in a kernel.

The chapter "The temperature lab" and its notebook: in Jupyter, JupyterLab or Colab,
:func:`show_live` displays a :class:`LiveLab` whose controls (temperature or beta on a
log slider, greedy, the convention, prompt, length, seed, top-k, resample) drive
:class:`lib.text.sampling.Sampler`, the sampler of chapter 4; every change redraws the
charts of :mod:`lib.text.templab.pictures` and a sample. :func:`update_times` measures
how long an update takes when a reader moves each control (the chapter reports it).
The controls' limits come from :mod:`lib.text.templab.settings`.
"""

from __future__ import annotations

import html
import math
import time
from dataclasses import asdict, replace

import numpy as np

from lib.text.model import CharLSTM
from lib.text.sampling import Sampler, entropy_bits, softmax_with_temperature
from lib.text.templab.pictures import bars_svg, curve_svg
from lib.text.templab.settings import (
    MAX_LENGTH,
    MAX_SEED,
    SLIDER,
    TAU_RANGE,
    check_settings,
    lab_settings,
    setting_name,
)


class LiveLab:
    """The lab in a Jupyter kernel: ipywidgets controls driving
    lib.text.sampling.Sampler.

    ``controls`` and ``displays`` hold the widgets by name; every change of a control
    recomputes the displays (:meth:`update`), and ``last_seconds`` says how long that
    took. ``lab.settings`` is the current :class:`LabSettings`; ``lab.result`` what is
    displayed.

    >>> lab = LiveLab(run.model, prompt="ROMEO:\\n", temperature=0.8)  # doctest: +SKIP
    >>> lab                 # the last expression of a cell shows it  # doctest: +SKIP
    """

    def __init__(self, model: CharLSTM, **settings):
        if not isinstance(model, CharLSTM):
            raise TypeError(
                f"expected a lib.text.model.CharLSTM, got {type(model).__name__}"
            )
        self.sampler, self.vocab = Sampler(model), model.vocab
        self.settings = lab_settings(model.vocab, **settings)
        self.result, self.error, self.last_seconds = None, None, float("nan")
        self._read_cache: tuple[str, np.ndarray] | None = None
        self._syncing = False
        self.controls, self.labels = self._build_controls(), self._build_labels()
        self.displays = self._build_displays()
        self.widget = self._layout()
        self._show_settings()
        self._listen()
        self.update()

    def _ipython_display_(self) -> None:
        """``display(lab)`` and a cell ending in ``lab`` show the lab's widget.

        IPython's own ``display`` shows a widget of either major version of
        ipywidgets: 8 gives its widgets ``_repr_mimebundle_``, 7.7 (Colab's)
        ``_ipython_display_`` only.
        """
        from IPython.display import display

        display(self.widget)

    @property
    def _repr_mimebundle_(self):
        """The widget's ``_repr_mimebundle_`` where it has one (ipywidgets 8); where it
        has none (ipywidgets 7.7) neither has the lab, and IPython never asks for it."""
        return self.widget._repr_mimebundle_

    # -- widgets -----------------------------------------------------------------
    def _build_controls(self) -> dict:
        # Only buttons get a description: the book's offline widget manager typesets
        # other widgets' descriptions (and every checkbox) with MathJax 2's API, which
        # the page's MathJax 3 lacks. Labels are HTML widgets next to the controls
        # (self.labels).
        import ipywidgets as w

        width = lambda size: w.Layout(width=size)
        return {
            "convention": w.ToggleButtons(
                options=[("divide by τ", "tau"), ("multiply by β", "beta")],
                style={"button_width": "auto"},
            ),
            "temperature": w.FloatLogSlider(
                base=10, step=SLIDER[2], readout_format=".3g"
            ),
            "greedy": w.ToggleButton(
                description="greedy (τ = 0)", layout=width("auto")
            ),
            "prompt": w.Textarea(rows=2, layout=width("16em")),
            "length": w.BoundedIntText(min=1, max=MAX_LENGTH, layout=width("6em")),
            "seed": w.BoundedIntText(min=0, max=MAX_SEED, layout=width("8em")),
            "top_k": w.BoundedIntText(min=0, max=len(self.vocab), layout=width("5em")),
            "resample": w.Button(
                description="resample (seed + 1)", layout=width("auto")
            ),
        }

    def _build_labels(self) -> dict:
        import ipywidgets as w

        return {
            name: w.HTML(text)
            for name, text in [
                ("temperature", "τ"),
                ("prompt", "prompt"),
                ("length", "length"),
                ("seed", "seed"),
                ("top_k", "top-k (0: off)"),
            ]
        }

    def _build_displays(self) -> dict:
        import ipywidgets as w

        half = w.Layout(flex="1 1 300px", min_width="280px")
        return {
            "bars": w.HTML(layout=half),
            "curve": w.HTML(layout=half),
            "entropy": w.HTML(),
            "sample": w.HTML(),
            "status": w.HTML(),
        }

    def _layout(self):
        import ipywidgets as w

        c, d, label, sampler = self.controls, self.displays, self.labels, self.sampler

        def row(*kids):
            return w.HBox(
                list(kids), layout=w.Layout(flex_flow="row wrap", align_items="center")
            )

        pair = lambda name: row(label[name], c[name])
        title = w.HTML(
            f"<b>Temperature lab, live in this kernel</b> (a "
            f"{sampler.num_layers}-layer LSTM of {sampler.num_hiddens} "
            f"units over {len(self.vocab)} characters)"
        )
        typed = row(*map(pair, ("prompt", "length", "seed", "top_k")), c["resample"])
        return w.VBox(
            [
                title,
                row(c["convention"], pair("temperature"), c["greedy"]),
                typed,
                row(d["bars"], d["curve"]),
                d["entropy"],
                d["sample"],
                d["status"],
            ]
        )

    def _show_settings(self) -> None:
        """Put ``self.settings`` into the controls (no update is triggered)."""
        s, c, beta = self.settings, self.controls, self.settings.convention == "beta"
        low, high = (-SLIDER[1], -SLIDER[0]) if beta else SLIDER[:2]
        self._syncing = True
        try:
            slider = c["temperature"]
            slider.min, slider.max = -3, 3  # widen first: nothing clamps
            slider.value = 1 / s.tau if beta else s.tau
            slider.min, slider.max = low, high
            self.labels["temperature"].value = "β" if beta else "τ"
            slider.disabled = s.greedy
            c["greedy"].description = "greedy (β = ∞)" if beta else "greedy (τ = 0)"
            for name, value in [
                ("convention", s.convention),
                ("greedy", s.greedy),
                ("prompt", s.prompt),
                ("length", s.length),
                ("seed", s.seed),
                ("top_k", s.top_k or 0),
            ]:
                c[name].value = value
        finally:
            self._syncing = False

    def _listen(self) -> None:
        c = self.controls
        for name, control in c.items():
            if name != "resample":  # every control but the button holds a value
                control.observe(self._on_change, names="value")
        c["resample"].on_click(lambda _: self._resample())

    def _resample(self) -> None:
        """The resample button: the next seed (after MAX_SEED, 0)."""
        self.set(seed=(self.settings.seed + 1) % (MAX_SEED + 1))

    def _on_change(self, change) -> None:
        if self._syncing:
            return
        c, s = self.controls, self.settings
        beta = c["convention"].value == "beta"
        tau = (
            s.tau
            if change["owner"] is c["convention"]
            else (1 / c["temperature"].value if beta else c["temperature"].value)
        )
        self.settings = replace(
            s,
            tau=min(max(tau, TAU_RANGE[0]), TAU_RANGE[1]),
            convention=c["convention"].value,
            greedy=c["greedy"].value,
            prompt=c["prompt"].value,
            length=c["length"].value,
            seed=c["seed"].value,
            top_k=c["top_k"].value or None,
        )
        if change["owner"] in (c["convention"], c["greedy"]):
            self._show_settings()  # relabel the slider
        self.update()

    def set(self, **changes) -> None:
        """Change settings as a reader would with the controls (by LabSettings field
        name)."""
        self.settings = check_settings(self.vocab, replace(self.settings, **changes))
        self._show_settings()
        self.update()

    # -- computing the displays ---------------------------------------------------
    def _logits(self, prompt: str) -> np.ndarray:
        """The logits after the prompt, read once per prompt (a slider move does not
        read it again)."""
        if self._read_cache is None or self._read_cache[0] != prompt:
            self._read_cache = (prompt, self.sampler.read(prompt)[0])
        return self._read_cache[1]

    def compute(self) -> dict:
        """Everything the displays show for the current settings (errors are raised)."""
        s = self.settings
        if not s.prompt:
            raise ValueError("the prompt is empty: type at least one character")
        logits = self._logits(s.prompt)
        tau = 0.0 if s.greedy else s.tau
        P = softmax_with_temperature(logits, tau, top_k=s.top_k)
        P1 = softmax_with_temperature(logits, 1.0)
        text = self.sampler.sample(
            s.prompt, s.length, temperature=tau, top_k=s.top_k, seed=s.seed
        )
        return {
            "logits": logits,
            "tau": tau,
            "P": P,
            "P1": P1,
            "text": text,
            "H": float(entropy_bits(P)),
            "H1": float(entropy_bits(P1)),
        }

    def update(self) -> None:
        """Recompute and redraw; a bad setting (say, a character the model never saw) is
        shown as an error in the lab instead of a stack trace."""
        start, d, s = time.perf_counter(), self.displays, self.settings
        try:
            r = self.compute()
        except ValueError as error:  # UnknownCharacterError is a ValueError
            self.result, self.error = None, str(error)
            d["sample"].value = ""
            message = html.escape(str(error))
            d["status"].value = f'<span style="color:#c0392b"><b>{message}</b></span>'
            self.last_seconds = time.perf_counter() - start
            return
        V = len(self.vocab)
        d["bars"].value = bars_svg(self.vocab.chars, r["P"], r["P1"])
        d["curve"].value = curve_svg(r["logits"], s, r["H"], V)
        d["entropy"].value = (
            f"Entropy of the next character at {setting_name(s)}: "
            f"<b>{r['H']:.3f} bits</b> (the model's own, τ = 1: "
            f"{r['H1']:.3f} bits; uniform: {math.log2(V):.3f} bits)."
        )
        d["sample"].value = (
            f'<pre style="white-space:pre-wrap;word-break:break-word">'
            f"<b>{html.escape(s.prompt)}</b>"
            f"{html.escape(r['text'])}</pre>"
        )
        self.result, self.error = r, None
        self.last_seconds = time.perf_counter() - start
        d["status"].value = (
            f"Computed in this kernel in "
            f"{1000 * self.last_seconds:.0f} ms "
            f"({len(s.prompt)} + {s.length} LSTM steps)."
        )


def show_live(model: CharLSTM, **settings) -> LiveLab:
    """Display the live lab for ``model`` (settings as :func:`lab_settings`) and
    return it."""
    from IPython.display import display

    lab = LiveLab(model, **settings)
    display(lab)
    return lab


def update_times(lab: LiveLab, moves: int = 12) -> dict[str, np.ndarray]:
    """Seconds per update when a reader moves each control: the temperature slider
    across its range, the convention, greedy, top-k, resample and typing a prompt one
    character at a time. The lab's settings are restored afterwards."""
    saved, c, times = lab.settings, lab.controls, {}

    def timed(name: str, values, control) -> None:
        seconds = []
        for value in values:
            control.value = value
            seconds.append(lab.last_seconds)
        times[name] = np.array(seconds)

    temperatures = np.logspace(SLIDER[0], SLIDER[1], moves)
    timed("temperature slider", temperatures, c["temperature"])
    timed("convention toggle", ["beta", "tau"] * (moves // 2), c["convention"])
    timed("greedy on/off", [True, False] * (moves // 2), c["greedy"])
    timed("top-k", [(k % len(lab.vocab)) + 1 for k in range(moves)], c["top_k"])
    seeds = [(saved.seed + k + 1) % (MAX_SEED + 1) for k in range(moves)]
    timed("seed (resample)", seeds, c["seed"])
    words = (saved.prompt * moves)[:moves]
    timed("typing the prompt", [words[: k + 1] for k in range(moves)], c["prompt"])
    lab.set(**asdict(saved))
    return times
