"""What the browser's temperature lab carries: the model's weights and the lab's limits.

The chapter "The temperature lab", section "How the browser lab is made": the browser
lab runs the model of chapter 4 in JavaScript, so the page must carry it.
:func:`encode_payload` writes the arrays of :func:`lib.text.sampling.export_weights` as
little-endian float32 in base64 with their sha256, next to the vocabulary, the lab's
first settings and every limit the JavaScript needs
(:func:`lib.text.templab.settings.lab_limits`). :func:`decode_payload` reads the
weights back, bit for bit, and :func:`model_from_weights` rebuilds a
:class:`~lib.text.model.CharLSTM` that holds them: that is how the tests compare the
page with Python's sampler.
"""

from __future__ import annotations

import base64
import hashlib
import math

import numpy as np
import torch

from lib.text.corpus import Vocabulary
from lib.text.model import CharLSTM, ModelConfig
from lib.text.sampling import export_weights, one_line
from lib.text.templab.settings import LabSettings, lab_limits

PAYLOAD_FORMAT = 2  # 2: the limits and the characters' labels join the weights
_KEYS = {
    "format",
    "vocab",
    "labels",
    "num_layers",
    "num_hiddens",
    "arrays",
    "sha256",
    "title",
    "settings",
    "limits",
    "meta",
}


def encode_payload(
    model: CharLSTM, settings: LabSettings, title: str = "", meta: dict | None = None
) -> dict:
    """What the static lab carries: the vocabulary and how the charts label each
    character, the sizes, the arrays of :func:`lib.text.sampling.export_weights` as
    little-endian float32 in base64 (each with its shape), their sha256, the lab's
    initial settings, its limits (:func:`~lib.text.templab.settings.lab_limits`), a
    title and ``meta`` (JSON values)."""
    if not isinstance(model, CharLSTM):
        raise TypeError(
            f"expected a lib.text.model.CharLSTM, got {type(model).__name__}"
        )
    weights = export_weights(model)
    arrays = {
        name: {
            "shape": list(w.shape),
            "b64": base64.b64encode(
                np.ascontiguousarray(w, dtype="<f4").tobytes()
            ).decode("ascii"),
        }
        for name, w in weights.items()
    }
    chars, config = list(model.vocab.chars), model.config
    return {
        "format": PAYLOAD_FORMAT,
        "vocab": chars,
        "labels": [one_line(ch, spaces=True) for ch in chars],
        "num_layers": config.num_layers,
        "num_hiddens": config.num_hiddens,
        "arrays": arrays,
        "sha256": weights_sha256(weights),
        "title": title,
        "settings": _js_settings(settings),
        "limits": lab_limits(),
        "meta": meta or {},
    }


def decode_payload(payload: dict) -> tuple[Vocabulary, dict[str, np.ndarray]]:
    """The vocabulary and the float32 arrays a payload carries; a damaged payload is
    an error."""
    if not isinstance(payload, dict) or payload.get("format") != PAYLOAD_FORMAT:
        raise ValueError(f"not a temperature-lab payload of format {PAYLOAD_FORMAT}")
    missing = _KEYS - set(payload)
    if missing:
        raise ValueError(f"the payload lacks {sorted(missing)}")
    weights = {}
    for name, entry in payload["arrays"].items():
        data = np.frombuffer(base64.b64decode(entry["b64"], validate=True), dtype="<f4")
        if data.size != math.prod(entry["shape"]):
            raise ValueError(
                f"{name}: {data.size} numbers for the shape {entry['shape']}"
            )
        weights[name] = data.reshape(entry["shape"]).astype(np.float32)
    if weights_sha256(weights) != payload["sha256"]:
        raise ValueError(
            "the weights do not match their sha256: the payload is corrupt"
        )
    vocab = Vocabulary(payload["vocab"])
    _check_arrays(vocab, weights)
    return vocab, weights


def _check_arrays(vocab: Vocabulary, weights: dict[str, np.ndarray]) -> None:
    """The arrays of export_weights for this vocabulary, or a ValueError naming what
    is wrong."""
    missing = {"table", "W_hh_0", "W_ph", "b_p"} - set(weights)
    if missing:
        raise ValueError(f"the weights lack {sorted(missing)}")
    V, four_n = weights["table"].shape
    if len(vocab) != V or weights["W_ph"].shape != (four_n // 4, V):
        raise ValueError(
            f"weights for {V} characters and {four_n // 4} units do not "
            f"fit a vocabulary of {len(vocab)}"
        )


def weights_sha256(weights: dict[str, np.ndarray]) -> str:
    """A checksum of exported weights: names, shapes and float32 bytes, in a fixed
    order."""
    digest = hashlib.sha256()
    for name in sorted(weights):
        w = np.ascontiguousarray(weights[name], dtype="<f4")
        digest.update(f"{name}{w.shape}".encode() + w.tobytes())
    return digest.hexdigest()


def model_from_weights(vocab: Vocabulary, weights: dict[str, np.ndarray]) -> CharLSTM:
    """A CharLSTM whose :func:`export_weights` are exactly ``weights`` (bit for bit).

    The table already merges the embedding and the first layer's input weights, so the
    model reads one-hot vectors: E = I (V, V), W_ih^(1) = table^T and zero biases; a
    higher layer l splits W_l (2n, 4n) back into W_ih^(l)T over W_hh^(l)T. Products
    with I and sums with 0 are exact, so ``Sampler(model_from_weights(v, w)).weights``
    is ``w``.
    """
    _check_arrays(vocab, weights)
    V, four_n = weights["table"].shape
    n = four_n // 4
    L = 1 + sum(name.startswith("b_") and name != "b_p" for name in weights)
    config = ModelConfig(num_hiddens=n, num_layers=L, embedding_dim=V)
    model = CharLSTM(vocab, config).eval()
    t = {name: torch.from_numpy(w.astype(np.float32)) for name, w in weights.items()}
    zeros = torch.zeros(four_n)
    with torch.no_grad():
        model.E.copy_(torch.eye(V))
        layers = [(t["table"].T, t["W_hh_0"].T, zeros)]  # index k: layer k + 1
        layers += [
            (t[f"W_{k}"][:n].T, t[f"W_{k}"][n:].T, t[f"b_{k}"]) for k in range(1, L)
        ]
        for k, (W_ih, W_hh, b) in enumerate(layers):
            params = model.layer_weights(k)  # W_ih, W_hh, b_ih, and b_hh = 0 if any
            for param, value in zip(params, (W_ih, W_hh, b, zeros), strict=False):
                param.copy_(value)
        model.W_ph.copy_(t["W_ph"].T)
        model.b_p.copy_(t["b_p"])
    return model


def _js_settings(s: LabSettings) -> dict:
    return {
        "prompt": s.prompt,
        "tau": s.tau,
        "greedy": s.greedy,
        "convention": s.convention,
        "length": s.length,
        "seed": s.seed,
        "topK": s.top_k,
    }
