"""The browser's temperature lab: one self-contained HTML element for the rendered book.

The chapter "The temperature lab" and its notebook show this element where no kernel
runs. :func:`static_lab` puts the payload of
:func:`lib.text.templab.payload.encode_payload` (weights, settings, limits) in a JSON
script and inlines ``lib/text/templab/templab.js`` (:func:`lab_javascript`), which runs
the computation of :class:`lib.text.sampling.Sampler` in plain JavaScript: no kernel,
no network, no library. A seed means the same text as in Python: the JavaScript
reimplements NumPy's ``default_rng`` (SeedSequence + PCG64), which
:meth:`Sampler.sample` draws from.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass
from importlib import resources

from lib.text.model import CharLSTM
from lib.text.templab.payload import encode_payload
from lib.text.templab.settings import lab_settings

_ids = itertools.count()
_FALLBACK = (
    "The temperature lab appears here when its JavaScript runs (in "
    "JupyterLab: once the notebook is trusted, or after running this cell)."
)


def lab_javascript() -> str:
    """lib/text/templab/templab.js, the browser's half of the lab (package data)."""
    code = resources.files("lib.text.templab").joinpath("templab.js")
    return code.read_text(encoding="utf-8")


@dataclass(frozen=True)
class StaticLab:
    """The lab as one HTML element: it displays itself in a notebook and in the book."""

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
        """The whole element (weights in base64, the JavaScript, the markup), in
        bytes."""
        return len(self.html.encode("utf-8"))

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        p = self.payload
        return (
            f"StaticLab({len(p['vocab'])} characters, {p['num_layers']} x "
            f"{p['num_hiddens']} LSTM; weights {self.weights_bytes / 1e6:.2f} MB "
            f"float32, element {self.html_bytes / 1e6:.2f} MB)"
        )


def static_lab(
    model: CharLSTM, title: str | None = None, meta: dict | None = None, **settings
) -> StaticLab:
    """The browser lab for ``model``: settings as :func:`lab_settings` (prompt,
    temperature or beta, convention, length, seed, top_k); ``meta`` (JSON values)
    travels with the weights."""
    if not isinstance(model, CharLSTM):
        raise TypeError(
            f"expected a lib.text.model.CharLSTM, got {type(model).__name__}"
        )
    s = lab_settings(model.vocab, **settings)
    payload = encode_payload(model, s, title or "", meta)
    if not title:
        payload["title"] = _default_title(model, payload)
    data = json.dumps(payload, ensure_ascii=True, separators=(",", ":"))
    data = data.replace("<", "\\u003c")  # nothing in the JSON closes the script
    code = lab_javascript()
    if "</script" in code.lower():
        raise ValueError("lib/text/templab/templab.js must not contain '</script'")
    uid = f"templab-{payload['sha256'][:12]}-{next(_ids)}"
    element = (
        f'<div class="templab" id="{uid}">'
        f'<script type="application/json" class="templab-data">{data}</script>'
        f'<p class="templab-fallback">{_FALLBACK}</p></div>\n'
        f"<script>\n{code}\n(function (s) {{\n"
        f"  var root = s && s.previousElementSibling;\n"
        f'  if (!root || !root.classList.contains("templab"))\n'
        f'    root = document.getElementById("{uid}");\n'
        f"  TempLab.mount(root);\n}})(document.currentScript);\n</script>"
    )
    return StaticLab(element, payload)


def _default_title(model: CharLSTM, payload: dict) -> str:
    size = 4 * sum(math.prod(a["shape"]) for a in payload["arrays"].values())
    size = f"{size / 1e6:.2f} MB" if size >= 1e5 else f"{size / 1e3:.0f} kB"
    config = model.config
    return (
        f"Temperature lab, in your browser: a {config.num_layers}-layer LSTM of "
        f"{config.num_hiddens} units over {len(model.vocab)} characters ({size} of "
        f"float32 weights in this page)"
    )
