"""The temperature lab: move a slider and watch a character model change its mind.

The chapter "The temperature lab" (after chapter 4, the generative LSTM). One set of controls,
two labs:

* **live** (:class:`LiveLab`, :func:`show_live`): ipywidgets driving
  :class:`lib.text.sampling.Sampler` in the kernel; Jupyter, JupyterLab, Colab.
* **static** (:func:`static_lab`): one self-contained HTML element for the rendered book. It
  carries the model's weights, exported when the book is built (float32, base64), and
  ``lib/text/templab/templab.js``, which runs the same computation in the reader's browser: no kernel, no
  network, no library.

Controls: the temperature on a logarithmic slider (0.05 to 5) or greedy decoding (T = 0); the
convention, divide the logits by T or multiply them by beta = 1/T (a relabelling: both name
the same distributions); the prompt, the length, the seed and top-k; resample (seed + 1).
Displays: P_T(next character | prompt) for the 20 most likely characters next to the model's
own P_1, its entropy in bits, the entropy against the temperature with the current setting
marked, and a sample. A seed means the same text in both labs: lib/text/templab/templab.js reimplements
NumPy's ``default_rng`` (SeedSequence + PCG64), which :meth:`Sampler.sample` draws from.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import math
import time
from dataclasses import asdict, dataclass, replace
from importlib import resources

import numpy as np
import torch

from lib.text.model import CharLSTM, ModelConfig
from lib.text.sampling import Sampler, check_temperature, entropy_bits, export_weights, \
    softmax_with_temperature
from lib.text.corpus import Vocabulary

T_RANGE = (0.05, 5.0)          # the temperatures a lab accepts (beta: 0.2 to 20)
SLIDER = (-1.3, 0.7, 0.01)     # log10 T on the slider: min, max, step (T = 1 is on the grid)
MAX_LENGTH = 2000
TOP_SHOWN = 20                 # bars in the distribution chart
CURVE_POINTS = 121             # temperatures on the entropy curve
PAYLOAD_FORMAT = 1
CONVENTIONS = ("T", "beta")


# ---------------------------------------------------------------------------------- settings
@dataclass(frozen=True)
class LabSettings:
    """What the controls show. ``T`` is the temperature (beta = 1/T when convention is
    ``"beta"``); with ``greedy`` the lab decodes at T = 0 and the slider keeps ``T``."""

    prompt: str = "ROMEO:\n"
    T: float = 1.0
    greedy: bool = False
    convention: str = "T"
    length: int = 200
    seed: int = 0
    top_k: int | None = None


def lab_settings(vocab: Vocabulary, prompt: str = "ROMEO:\n", temperature: float | None = None,
                 beta: float | None = None, convention: str = "T", length: int = 200,
                 seed: int = 0, top_k: int | None = None) -> LabSettings:
    """Checked settings for a lab over ``vocab``: T from ``temperature`` or ``beta`` (T = 0 is
    greedy), a prompt the model can read, 1 <= length <= 2000, 0 <= seed < 2**32, top-k in
    [1, V] or None."""
    T = check_temperature(temperature, beta)
    settings = LabSettings(prompt, 1.0 if T == 0 else T, T == 0, convention, length, seed, top_k)
    return check_settings(vocab, settings)


def check_settings(vocab: Vocabulary, s: LabSettings) -> LabSettings:
    """``s`` if a lab over ``vocab`` can show it, else a ValueError that says what is wrong."""
    check_temperature(s.T)
    if not T_RANGE[0] <= s.T <= T_RANGE[1]:
        raise ValueError(f"T = {s.T:g}: the lab's slider spans T = {T_RANGE[0]} to {T_RANGE[1]} "
                         f"(beta = {1 / T_RANGE[1]:g} to {1 / T_RANGE[0]:g}); T = 0 is greedy")
    if s.convention not in CONVENTIONS:
        raise ValueError(f"convention={s.convention!r}: expected 'T' (divide the logits by T) "
                         f"or 'beta' (multiply them by beta = 1/T)")
    if not isinstance(s.prompt, str) or not s.prompt:
        raise ValueError("the prompt must be a non-empty string")
    vocab.encode(s.prompt)                    # unknown characters: a clear error, now
    _check_int("length", s.length, 1, MAX_LENGTH)
    _check_int("seed", s.seed, 0, 2**32 - 1)
    if s.top_k is not None:
        _check_int("top_k", s.top_k, 1, len(vocab))
    return replace(s, T=float(s.T), greedy=bool(s.greedy), length=int(s.length),
                   seed=int(s.seed), top_k=None if s.top_k is None else int(s.top_k))


def _check_int(name: str, value, low: int, high: int) -> None:
    whole = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if not whole or not low <= value <= high:
        raise ValueError(f"{name}={value!r}: expected a whole number from {low} to {high}")


# ---------------------------------------------------------------------- the exported weights
def encode_payload(model: CharLSTM, settings: LabSettings, title: str = "",
                   meta: dict | None = None) -> dict:
    """What the static lab carries: the vocabulary, the sizes, the arrays of
    :func:`lib.text.sampling.export_weights` as little-endian float32 in base64 (each with its
    shape), their sha256, the lab's initial settings, a title and ``meta`` (JSON values)."""
    if not isinstance(model, CharLSTM):
        raise TypeError(f"expected a lib.text.model.CharLSTM, got {type(model).__name__}")
    weights = export_weights(model)
    arrays = {name: {"shape": list(w.shape), "b64": base64.b64encode(
        np.ascontiguousarray(w, dtype="<f4").tobytes()).decode("ascii")}
        for name, w in weights.items()}
    return {"format": PAYLOAD_FORMAT, "vocab": list(model.vocab.chars),
            "num_layers": model.config.num_layers, "num_hiddens": model.config.num_hiddens,
            "arrays": arrays, "sha256": weights_sha256(weights), "title": title,
            "settings": _js_settings(settings), "meta": meta or {}}


def decode_payload(payload: dict) -> tuple[Vocabulary, dict[str, np.ndarray]]:
    """The vocabulary and float32 arrays a payload carries; a damaged one is an error."""
    if not isinstance(payload, dict) or payload.get("format") != PAYLOAD_FORMAT:
        raise ValueError(f"not a temperature-lab payload of format {PAYLOAD_FORMAT}")
    weights = {}
    for name, entry in payload["arrays"].items():
        data = np.frombuffer(base64.b64decode(entry["b64"], validate=True), dtype="<f4")
        if data.size != math.prod(entry["shape"]):
            raise ValueError(f"{name}: {data.size} numbers for the shape {entry['shape']}")
        weights[name] = data.reshape(entry["shape"]).astype(np.float32)
    if weights_sha256(weights) != payload["sha256"]:
        raise ValueError("the weights do not match their sha256: the payload is corrupt")
    vocab = Vocabulary(payload["vocab"])
    _check_arrays(vocab, weights)
    return vocab, weights


def _check_arrays(vocab: Vocabulary, weights: dict[str, np.ndarray]) -> None:
    """The arrays of export_weights for this vocabulary, or a ValueError naming the problem."""
    missing = {"table", "W_hh_0", "W_ph", "b_p"} - set(weights)
    if missing:
        raise ValueError(f"the weights lack {sorted(missing)}")
    V, four_n = weights["table"].shape
    if V != len(vocab) or weights["W_ph"].shape != (four_n // 4, V):
        raise ValueError(f"weights for {V} characters and {four_n // 4} units do not fit a "
                         f"vocabulary of {len(vocab)}")


def weights_sha256(weights: dict[str, np.ndarray]) -> str:
    """A checksum of exported weights: names, shapes and float32 bytes, in a fixed order."""
    digest = hashlib.sha256()
    for name in sorted(weights):
        w = np.ascontiguousarray(weights[name], dtype="<f4")
        digest.update(f"{name}{w.shape}".encode() + w.tobytes())
    return digest.hexdigest()


def model_from_weights(vocab: Vocabulary, weights: dict[str, np.ndarray]) -> CharLSTM:
    """A CharLSTM whose :func:`export_weights` are exactly ``weights`` (bit for bit).

    The table already merges the embedding and the first layer's input weights, so the model
    reads one-hot vectors: E = I (V, V), W_ih^(1) = table^T and zero biases; a higher layer
    l splits W_l (2n, 4n) back into W_ih^(l)T over W_hh^(l)T. Products with I and sums with 0
    are exact, so ``Sampler(model_from_weights(v, w)).weights == w``.
    """
    _check_arrays(vocab, weights)
    V, four_n = weights["table"].shape
    n, L = four_n // 4, 1 + sum(name.startswith("b_") and name != "b_p" for name in weights)
    model = CharLSTM(vocab, ModelConfig(num_hiddens=n, num_layers=L, embedding_dim=V)).eval()
    t = {name: torch.from_numpy(w.astype(np.float32)) for name, w in weights.items()}
    with torch.no_grad():
        model.E.copy_(torch.eye(V))
        layers = [(t["table"].T, t["W_hh_0"].T, torch.zeros(four_n))]
        layers += [(t[f"W_{l}"][:n].T, t[f"W_{l}"][n:].T, t[f"b_{l}"]) for l in range(1, L)]
        for l, (W_ih, W_hh, b) in enumerate(layers):
            for param, value in zip(model.layer_weights(l), (W_ih, W_hh, b, torch.zeros(four_n))):
                param.copy_(value)
        model.W_ph.copy_(t["W_ph"].T)
        model.b_p.copy_(t["b_p"])
    return model


def _js_settings(s: LabSettings) -> dict:
    return {"prompt": s.prompt, "T": s.T, "greedy": s.greedy, "convention": s.convention,
            "length": s.length, "seed": s.seed, "topK": s.top_k}


# ------------------------------------------------------------------------ the static lab
_ids = itertools.count()


def lab_javascript() -> str:
    """lib/text/templab/templab.js, the browser's half of the lab (package data)."""
    return resources.files("lib.text.templab").joinpath("templab.js").read_text(encoding="utf-8")


@dataclass(frozen=True)
class StaticLab:
    """The lab as one HTML element: displays itself in a notebook and in the built book."""

    html: str
    payload: dict

    @property
    def weights_bytes(self) -> int:
        """The float32 weights, in bytes (before base64, which adds a third)."""
        return 4 * sum(math.prod(a["shape"]) for a in self.payload["arrays"].values())

    @property
    def base64_bytes(self) -> int:
        """The weights as the page carries them: base64 text, a third larger."""
        return sum(len(a["b64"]) for a in self.payload["arrays"].values())

    @property
    def html_bytes(self) -> int:
        """The whole element (weights in base64, the JavaScript, the markup), in bytes."""
        return len(self.html.encode("utf-8"))

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        p = self.payload
        return (f"StaticLab({len(p['vocab'])} characters, {p['num_layers']} x {p['num_hiddens']} "
                f"LSTM; weights {self.weights_bytes / 1e6:.2f} MB float32, element "
                f"{self.html_bytes / 1e6:.2f} MB)")


def static_lab(model: CharLSTM, title: str | None = None, meta: dict | None = None,
               **settings) -> StaticLab:
    """The browser lab for ``model``: settings as :func:`lab_settings` (prompt, temperature or
    beta, convention, length, seed, top_k); ``meta`` (JSON values) travels with the weights."""
    if not isinstance(model, CharLSTM):
        raise TypeError(f"expected a lib.text.model.CharLSTM, got {type(model).__name__}")
    s = lab_settings(model.vocab, **settings)
    payload = encode_payload(model, s, title or "", meta)
    if not title:
        size = 4 * sum(math.prod(a["shape"]) for a in payload["arrays"].values())
        size = f"{size / 1e6:.2f} MB" if size >= 1e5 else f"{size / 1e3:.0f} kB"
        payload["title"] = (f"Temperature lab, in your browser: a {model.config.num_layers}-layer "
                            f"LSTM of {model.config.num_hiddens} units over {len(model.vocab)} "
                            f"characters ({size} of float32 weights in this page)")
    data = json.dumps(payload, ensure_ascii=True, separators=(",", ":")).replace("<", "\\u003c")
    code = lab_javascript()
    if "</script" in code.lower():
        raise ValueError("lib/text/templab/templab.js must not contain '</script'")
    uid = f"templab-{payload['sha256'][:12]}-{next(_ids)}"
    element = (
        f'<div class="templab" id="{uid}">'
        f'<script type="application/json" class="templab-data">{data}</script>'
        '<p class="templab-fallback">The temperature lab appears here when its JavaScript runs '
        '(in JupyterLab: once the notebook is trusted, or after running this cell).</p></div>\n'
        f'<script>\n{code}\n(function (s) {{\n'
        f'  var root = s && s.previousElementSibling;\n'
        f'  if (!root || !root.classList.contains("templab"))\n'
        f'    root = document.getElementById("{uid}");\n'
        f'  TempLab.mount(root);\n}})(document.currentScript);\n</script>')
    return StaticLab(element, payload)


# ------------------------------------------------------------------------- the pictures
def _svg(children: list[str], label: str) -> str:
    return (f'<svg viewBox="0 0 420 230" role="img" aria-label="{label}" '
            f'style="width:100%;height:auto;display:block" xmlns="http://www.w3.org/2000/svg">'
            + "".join(children) + "</svg>")


def _text(x, y, text, size=11, anchor="start", extra="") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="currentColor" {extra}>{html.escape(text)}</text>')


def _y_label(y, text) -> str:
    return _text(12, y, text, anchor="middle", extra=f'transform="rotate(-90 12 {y})"')


def shown_char(ch: str) -> str:
    """A character as the charts label it: line break, space and tab made visible."""
    return {"\n": "↵", " ": "␣", "\t": "⇥"}.get(ch, ch)


def bars_svg(chars, P: np.ndarray, P1: np.ndarray) -> str:
    """P_T (filled) and P_1 (dashed outline) of the 20 characters the model ranks highest."""
    order = sorted(range(len(P1)), key=lambda v: (-P1[v], v))[:TOP_SHOWN]
    x0, y0, height, width = 36, 200, 180, 376 / TOP_SHOWN
    y = lambda p: y0 - p * height  # noqa: E731
    out = []
    for tick in (0, 0.25, 0.5, 0.75, 1):
        out.append(f'<line x1="{x0}" x2="414" y1="{y(tick)}" y2="{y(tick)}" stroke="currentColor" '
                   f'stroke-opacity="0.15"/>')
        out.append(_text(x0 - 4, y(tick) + 4, f"{tick:g}", anchor="end"))
    for i, v in enumerate(order):
        x, ch = x0 + i * width + 2, chars[v]
        tip = f"{json.dumps(ch)}: P_T = {P[v]:.4f}, P_1 = {P1[v]:.4f}"
        out.append(f'<rect x="{x:.1f}" width="{width - 4:.1f}" y="{y(P[v]):.2f}" '
                   f'height="{P[v] * height:.2f}" fill="#1f77b4">'
                   f'<title>{html.escape(tip)}</title></rect>')
        out.append(f'<rect x="{x:.1f}" width="{width - 4:.1f}" y="{y(P1[v]):.2f}" '
                   f'height="{P1[v] * height:.2f}" fill="none" stroke="currentColor" '
                   f'stroke-opacity="0.6" stroke-dasharray="3 2"/>')
        out.append(_text(x + (width - 4) / 2, y0 + 16, shown_char(ch), 13, "middle",
                         'font-family="monospace"'))
    out.append(_y_label(110, "probability"))
    return _svg(out, "next-character distribution")


def entropy_curve(logits: np.ndarray, convention: str, top_k: int | None):
    """(x, H): the slider's values (T, or beta = 1/T) on a log grid and the entropy in bits
    of softmax(logits / T) with top-k at each."""
    low, high = T_RANGE if convention == "T" else (1 / T_RANGE[1], 1 / T_RANGE[0])
    x = low * (high / low) ** (np.arange(CURVE_POINTS) / (CURVE_POINTS - 1))
    temperatures = x if convention == "T" else 1 / x
    scaled = np.asarray(logits, dtype=np.float64)[None, :] / temperatures[:, None]
    return x, entropy_bits(softmax_with_temperature(scaled, 1.0, top_k=top_k))   # row by row


def curve_svg(logits: np.ndarray, s: LabSettings, H_now: float, V: int) -> str:
    """Entropy against the slider's value, log scale; the red dot is the current setting."""
    beta = s.convention == "beta"
    low, high = (1 / T_RANGE[1], 1 / T_RANGE[0]) if beta else T_RANGE
    x0, x1, y0, H_max = 36, 410, 190, math.log2(V)
    px = lambda v: x0 + math.log10(v / low) / math.log10(high / low) * (x1 - x0)  # noqa: E731
    py = lambda h: y0 - h / H_max * 170  # noqa: E731
    out = []
    levels = [(H_max, f"uniform: log2 {V}")]
    if s.top_k and s.top_k < V:
        levels.append((math.log2(s.top_k), f"top-k cap: log2 {s.top_k}"))
    for h, name in levels:
        out.append(f'<line x1="{x0}" x2="{x1}" y1="{py(h):.1f}" y2="{py(h):.1f}" '
                   f'stroke="currentColor" stroke-opacity="0.5" stroke-dasharray="4 3"/>')
        out.append(_text(x0 + 4, py(h) - 4, name))
    for tick in ((0.2, 0.5, 1, 2, 5, 10, 20) if beta else (0.05, 0.1, 0.2, 0.5, 1, 2, 5)):
        out.append(f'<line x1="{px(tick):.1f}" x2="{px(tick):.1f}" y1="{y0}" y2="{y0 + 4}" '
                   f'stroke="currentColor"/>')
        out.append(_text(px(tick), y0 + 16, f"{tick:g}", anchor="middle"))
    out.append(f'<line x1="{x0}" x2="{x1}" y1="{y0}" y2="{y0}" stroke="currentColor"/>')
    out.append(_text((x0 + x1) / 2, 226, "β = 1/T (multiply the logits), log scale" if beta
                     else "T (divide the logits), log scale", 12, "middle"))
    out.append(_y_label(105, "entropy (bits)"))
    x, H = entropy_curve(logits, s.convention, s.top_k)
    points = " ".join(f"{px(v):.1f},{py(h):.1f}" for v, h in zip(x, H))
    out.append(f'<polyline points="{points}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
    here = (x1 if beta else x0) if s.greedy else px(1 / s.T if beta else s.T)
    out.append(f'<circle cx="{here:.1f}" cy="{py(H_now):.1f}" r="5" fill="#d62728"/>')
    return _svg(out, "entropy against temperature")


def setting_name(s: LabSettings) -> str:
    """'T = 0.5', 'β = 2.00', 'T = 0 (greedy)', ... as the displays write the setting."""
    if s.greedy:
        return "β = ∞ (greedy)" if s.convention == "beta" else "T = 0 (greedy)"
    return f"β = {1 / s.T:.3g}" if s.convention == "beta" else f"T = {s.T:.3g}"


# --------------------------------------------------------------------------- the live lab
class LiveLab:
    """The lab in a Jupyter kernel: ipywidgets controls driving lib.text.sampling.Sampler.

    ``controls`` and ``displays`` hold the widgets by name; every change of a control
    recomputes the displays (:meth:`update`), and ``last_seconds`` says how long that took.
    ``lab.settings`` is the current :class:`LabSettings`; ``lab.result`` what is displayed.

    >>> lab = LiveLab(run.model, prompt="ROMEO:\\n", temperature=0.8)     # doctest: +SKIP
    >>> lab                    # the last expression of a cell shows it     # doctest: +SKIP
    """

    def __init__(self, model: CharLSTM, **settings):
        if not isinstance(model, CharLSTM):
            raise TypeError(f"expected a lib.text.model.CharLSTM, got {type(model).__name__}")
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

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # -- widgets ---------------------------------------------------------------------
    def _build_controls(self) -> dict:
        # Only buttons get a description: the book's offline widget manager typesets other
        # widgets' descriptions (and every checkbox) with MathJax 2's API, which the page's
        # MathJax 3 lacks. Labels are HTML widgets next to the controls (self.labels).
        import ipywidgets as w
        return {
            "convention": w.ToggleButtons(
                options=[("divide by T", "T"), ("multiply by β", "beta")],
                style={"button_width": "auto"}),
            "temperature": w.FloatLogSlider(base=10, step=SLIDER[2], readout_format=".3g"),
            "greedy": w.ToggleButton(description="greedy (T = 0)", layout=w.Layout(width="auto")),
            "prompt": w.Textarea(rows=2, layout=w.Layout(width="16em")),
            "length": w.BoundedIntText(min=1, max=MAX_LENGTH, layout=w.Layout(width="6em")),
            "seed": w.BoundedIntText(min=0, max=2**32 - 1, layout=w.Layout(width="8em")),
            "top_k": w.BoundedIntText(min=0, max=len(self.vocab), layout=w.Layout(width="5em")),
            "resample": w.Button(description="resample (seed + 1)", layout=w.Layout(width="auto")),
        }

    def _build_labels(self) -> dict:
        import ipywidgets as w
        return {name: w.HTML(text) for name, text in [
            ("temperature", "T"), ("prompt", "prompt"),
            ("length", "length"), ("seed", "seed"), ("top_k", "top-k (0: off)")]}

    def _build_displays(self) -> dict:
        import ipywidgets as w
        half = w.Layout(flex="1 1 300px", min_width="280px")
        return {"bars": w.HTML(layout=half), "curve": w.HTML(layout=half), "entropy": w.HTML(),
                "sample": w.HTML(), "status": w.HTML()}

    def _layout(self):
        import ipywidgets as w
        c, d, label = self.controls, self.displays, self.labels
        row = lambda *kids: w.HBox(list(kids), layout=w.Layout(flex_flow="row wrap",  # noqa: E731
                                                               align_items="center"))
        pair = lambda name: row(label[name], c[name])  # noqa: E731
        title = w.HTML(f"<b>Temperature lab, live in this kernel</b> (a {self.sampler.num_layers}"
                       f"-layer LSTM of {self.sampler.num_hiddens} units over {len(self.vocab)} "
                       f"characters)")
        return w.VBox([title, row(c["convention"], pair("temperature"), c["greedy"]),
                       row(*map(pair, ("prompt", "length", "seed", "top_k")), c["resample"]),
                       row(d["bars"], d["curve"]), d["entropy"], d["sample"], d["status"]])

    def _show_settings(self) -> None:
        """Put ``self.settings`` into the controls (no update is triggered)."""
        s, c, beta = self.settings, self.controls, self.settings.convention == "beta"
        low, high = (-SLIDER[1], -SLIDER[0]) if beta else SLIDER[:2]
        self._syncing = True
        try:
            slider = c["temperature"]
            slider.min, slider.max = -3, 3                     # widen first: nothing clamps
            slider.value = 1 / s.T if beta else s.T
            slider.min, slider.max = low, high
            self.labels["temperature"].value = "β" if beta else "T"
            slider.disabled = s.greedy
            c["greedy"].description = "greedy (β = ∞)" if beta else "greedy (T = 0)"
            for name, value in [("convention", s.convention), ("greedy", s.greedy),
                                ("prompt", s.prompt), ("length", s.length), ("seed", s.seed),
                                ("top_k", s.top_k or 0)]:
                c[name].value = value
        finally:
            self._syncing = False

    def _listen(self) -> None:
        c = self.controls
        for name in ("convention", "temperature", "greedy", "prompt", "length", "seed", "top_k"):
            c[name].observe(self._on_change, names="value")
        c["resample"].on_click(lambda _: self.set(seed=(self.settings.seed + 1) % 2**32))

    def _on_change(self, change) -> None:
        if self._syncing:
            return
        c, s = self.controls, self.settings
        beta = c["convention"].value == "beta"
        T = s.T if change["owner"] is c["convention"] else (
            1 / c["temperature"].value if beta else c["temperature"].value)
        self.settings = replace(s, T=min(max(T, T_RANGE[0]), T_RANGE[1]),
                                convention=c["convention"].value, greedy=c["greedy"].value,
                                prompt=c["prompt"].value, length=c["length"].value,
                                seed=c["seed"].value, top_k=c["top_k"].value or None)
        if change["owner"] in (c["convention"], c["greedy"]):
            self._show_settings()                              # relabel the slider
        self.update()

    def set(self, **changes) -> None:
        """Change settings as a reader would with the controls (by LabSettings field name)."""
        self.settings = check_settings(self.vocab, replace(self.settings, **changes))
        self._show_settings()
        self.update()

    # -- computing the displays -------------------------------------------------------
    def _logits(self, prompt: str) -> np.ndarray:
        """The logits after the prompt, read once per prompt (a slider move does not re-read)."""
        if self._read_cache is None or self._read_cache[0] != prompt:
            self._read_cache = (prompt, self.sampler.read(prompt)[0])
        return self._read_cache[1]

    def compute(self) -> dict:
        """Everything the displays show for the current settings (errors are raised)."""
        s = self.settings
        if not s.prompt:
            raise ValueError("the prompt is empty: type at least one character")
        logits = self._logits(s.prompt)
        T = 0.0 if s.greedy else s.T
        P = softmax_with_temperature(logits, T, top_k=s.top_k)
        P1 = softmax_with_temperature(logits, 1.0)
        text = self.sampler.sample(s.prompt, s.length, temperature=T, top_k=s.top_k, seed=s.seed)
        return {"logits": logits, "T": T, "P": P, "P1": P1, "H": float(entropy_bits(P)),
                "H1": float(entropy_bits(P1)), "text": text}

    def update(self) -> None:
        """Recompute and redraw; a bad setting (say, a character the model never saw) is
        shown as an error in the lab instead of a stack trace."""
        start, d, s = time.perf_counter(), self.displays, self.settings
        try:
            r = self.compute()
        except ValueError as error:           # UnknownCharacterError is a ValueError
            self.result, self.error = None, str(error)
            d["sample"].value = ""
            d["status"].value = (f'<span style="color:#c0392b"><b>{html.escape(str(error))}'
                                 f'</b></span>')
            self.last_seconds = time.perf_counter() - start
            return
        V = len(self.vocab)
        d["bars"].value = bars_svg(self.vocab.chars, r["P"], r["P1"])
        d["curve"].value = curve_svg(r["logits"], s, r["H"], V)
        d["entropy"].value = (f"Entropy of the next character at {setting_name(s)}: "
                              f"<b>{r['H']:.3f} bits</b> (the model's own, T = 1: "
                              f"{r['H1']:.3f} bits; uniform: {math.log2(V):.3f} bits).")
        d["sample"].value = (f'<pre style="white-space:pre-wrap;word-break:break-word">'
                             f'<b>{html.escape(s.prompt)}</b>{html.escape(r["text"])}</pre>')
        self.result, self.error = r, None
        self.last_seconds = time.perf_counter() - start
        d["status"].value = (f"Computed in this kernel in {1000 * self.last_seconds:.0f} ms "
                             f"({len(s.prompt)} + {s.length} LSTM steps).")


def show_live(model: CharLSTM, **settings) -> LiveLab:
    """Display the live lab for ``model`` (settings as :func:`lab_settings`) and return it."""
    from IPython.display import display

    lab = LiveLab(model, **settings)
    display(lab)
    return lab


def update_times(lab: LiveLab, moves: int = 12) -> dict[str, np.ndarray]:
    """Seconds per update when a reader moves each control: the temperature slider across
    its range, the convention, greedy, top-k, resample and typing a prompt one character at a
    time. The lab's settings are restored afterwards."""
    saved, c, times = lab.settings, lab.controls, {}

    def timed(name: str, values, control) -> None:
        seconds = []
        for value in values:
            control.value = value
            seconds.append(lab.last_seconds)
        times[name] = np.array(seconds)

    timed("temperature slider", np.logspace(SLIDER[0], SLIDER[1], moves), c["temperature"])
    timed("convention toggle", ["beta", "T"] * (moves // 2), c["convention"])
    timed("greedy on/off", [True, False] * (moves // 2), c["greedy"])
    timed("top-k", [(k % len(lab.vocab)) + 1 for k in range(moves)], c["top_k"])
    timed("seed (resample)", [(saved.seed + k + 1) % 2**32 for k in range(moves)], c["seed"])
    words = (saved.prompt * moves)[:moves]
    timed("typing the prompt", [words[:k + 1] for k in range(moves)], c["prompt"])
    lab.set(**asdict(saved))
    return times
