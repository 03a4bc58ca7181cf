"""Writing with a character model: greedy, temperature, top-k and beam search
(chapter 4).

Generation reads the prompt once, then carries the LSTM's state forward one character at
a time: each new character costs one step of the recurrence, never a re-read of the
prefix.

The next character is drawn from the softmax of the logits p divided by a temperature τ,

    P_τ(v) = exp(p_v / τ) / sum_u exp(p_u / τ),

τ -> 0 giving the argmax (τ = 0 *is* greedy decoding, by definition), τ = 1 the model's
own distribution and τ -> infinity the uniform one. The course writes softmax(beta p)
instead, with beta = 1 / τ an *inverse* temperature: every function here takes either
``temperature`` or ``beta``.

:class:`Sampler` copies the model's weights to float32 NumPy arrays and runs the
recurrence on the CPU, whatever device the model was trained on: at batch 1 a step is a
handful of (n, 4n) matrix-vector products, and the per-call overhead of torch operators
or GPU kernel launches would cost more than the arithmetic (``scripts/bench_charlm.py``
measures it).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch

from lib.text.corpus import Vocabulary
from lib.text.model import CharLSTM

# ------------------------------------------------------------------------ distributions


def check_temperature(
    temperature: float | None = None, beta: float | None = None
) -> float:
    """The temperature τ >= 0 meant by ``temperature`` or ``beta`` = 1 / τ
    (not both; default 1).

    τ = 0 (beta = inf) is greedy decoding, τ = inf (beta = 0) the uniform distribution.
    """
    if temperature is not None and beta is not None:
        raise ValueError(
            "give a temperature τ or an inverse temperature beta = 1/τ, not both"
        )
    name, value = ("beta", beta) if beta is not None else ("temperature", temperature)
    if value is None:
        return 1.0
    if isinstance(value, bool) or not isinstance(
        value, (int, float, np.floating, np.integer)
    ):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if math.isnan(value) or value < 0:
        raise ValueError(
            f"{name}={value}: must be >= 0 ({name} = 0 means "
            f"{'the uniform distribution' if name == 'beta' else 'greedy decoding'})"
        )
    if name == "beta":
        return math.inf if value == 0 else 1.0 / value
    return float(value)


def softmax_with_temperature(
    logits,
    temperature: float | None = None,
    beta: float | None = None,
    top_k: int | None = None,
) -> np.ndarray:
    """softmax(logits / τ) over the last axis, in float64; τ = 0 is one-hot on the
    argmax.

    With ``top_k``, only the k largest logits keep probability (renormalised).
    """
    tau = check_temperature(temperature, beta)
    logits = np.asarray(logits, dtype=np.float64)
    if top_k is not None:
        logits = _keep_top_k(logits, top_k)
    if tau == 0:
        return np.eye(logits.shape[-1])[logits.argmax(-1)]
    if math.isinf(tau):
        logits = np.where(np.isneginf(logits), -np.inf, 0.0)
    z = logits / tau if not math.isinf(tau) else logits
    z = z - z.max(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


def _keep_top_k(logits: np.ndarray, k: int) -> np.ndarray:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(
            f"top_k={k!r}: expected a positive integer (or None for no cut)"
        )
    if k >= logits.shape[-1]:
        return logits
    kth = np.partition(logits, -k, axis=-1)[..., -k, None]
    return np.where(logits >= kth, logits, -np.inf)


def entropy_bits(p) -> np.ndarray:
    """H(p) = -sum_v p_v log2 p_v over the last axis (0 log 0 = 0)."""
    p = np.asarray(p, dtype=np.float64)
    return -(p * np.log2(np.where(p > 0, p, 1.0))).sum(-1)


def log_softmax(logits: np.ndarray) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def find_loop(text: str, min_repeats: int = 2) -> tuple[int, int] | None:
    """(period, start): the longest tail of ``text`` that repeats a block, or None.

    ``text[start:]`` is periodic with ``period`` and holds at least ``min_repeats``
    copies of the block; among all periods the one whose repetition reaches furthest
    back wins (ties: the shortest). Greedy decoding is deterministic, so once the
    model's state comes back near a state it was in, the text repeats itself forever:
    ``find_loop("xy the the the ")`` is ``(4, 2)``.
    """
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    n, best = len(codes), None
    for period in range(1, n // min_repeats + 1):
        same = codes[period:] == codes[:-period]  # text[i + period] == text[i]
        mismatches = np.flatnonzero(~same)
        start = mismatches[-1] + 1 if len(mismatches) else 0
        if n - start >= min_repeats * period and (best is None or start < best[1]):
            best = (period, int(start))
    return best


def repeated_ngram_share(text: str, n: int = 4) -> float:
    """The share of ``text``'s n-grams (overlapping, ``len(text) - n + 1`` of them)
    that already occurred earlier in it: 0 when no n-gram repeats, close to 1 for a
    text caught in a short loop. ``repeated_ngram_share("abcabc", 3)`` is 0.25: of
    abc, bca, cab, abc only the last one repeats. A text shorter than n has no n-grams
    and scores 0."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n={n!r}: expected a positive integer")
    grams = [text[i : i + n] for i in range(len(text) - n + 1)]
    return 1 - len(set(grams)) / len(grams) if grams else 0.0


def one_line(text: str, spaces: bool = False) -> str:
    """``text`` on one line with its control characters visible: a line break as ↵ and a
    tab as ⇥, to fit in a table cell; with ``spaces``, a space as ␣ too, for a character
    that labels a chart and must not be blank. ``one_line("a\\nb")`` is ``"a↵b"``."""
    shown = {"\n": "↵", "\t": "⇥", " ": "␣"} if spaces else {"\n": "↵", "\t": "⇥"}
    return text.translate(str.maketrans(shown))


# -------------------------------------------------------------------------- the sampler


State = tuple[list[np.ndarray], list[np.ndarray]]
"""(h, c) of a :class:`Sampler`: per layer, hidden and cell states of shape (B, n)."""


class Beam(NamedTuple):
    """A continuation found by beam search and its log-probability under the model
    (nats)."""

    text: str
    log_prob: float


class BeamNode(NamedTuple):
    """A candidate of beam search: the prefix of node ``parent`` (an index into
    :attr:`BeamTree.nodes`) extended by ``char`` at step ``step`` (1, 2, ...), with
    ``log_prob`` = log P(prefix + char | prompt), summed over its characters (nats).
    ``kept``: among the beam_width best candidates of its step. The root (step 0,
    parent -1) is the prompt, with log-probability 0."""

    step: int
    parent: int
    char: str
    log_prob: float
    kept: bool


class BeamTree(NamedTuple):
    """A beam search with its candidates (:meth:`Sampler.beam_search_tree`)."""

    prompt: str
    beam_width: int
    branching: int  # the likeliest extensions of each kept prefix held in ``nodes``
    nodes: list[BeamNode]  # nodes[0] is the root, the prompt
    beams: list[Beam]  # the search's result, as Sampler.beam_search returns it
    best_path: list[int]  # the nodes from the root to the end of beams[0]


class Sampler:
    """Generates text from a trained :class:`~lib.text.model.CharLSTM`, one character
    per step.

    The first layer's input term is precomputed for every character: an embedding
    followed by a linear map is a lookup table,
    ``table[v] = W_ih^(1) E[v] + b_ih^(1) + b_hh^(1)`` (V, 4n).

    >>> sampler = Sampler(model)
    >>> sampler.sample("ROMEO:", length=200, temperature=0.8, seed=0)  # doctest: +SKIP
    """

    def __init__(self, model: CharLSTM):
        self.vocab: Vocabulary = model.vocab
        self.weights = w = export_weights(model)
        self.num_layers = model.config.num_layers
        self.num_hiddens = model.config.num_hiddens
        self._first = w["table"], w["W_hh_0"]
        self._upper = [(w[f"W_{l}"], w[f"b_{l}"]) for l in range(1, self.num_layers)]
        self._readout = w["W_ph"], w["b_p"]

    # -- the recurrence ----------------------------------------------------------------
    def initial_state(self, batch_size: int = 1) -> State:
        """(h, c): for every layer, the hidden and the cell state, zeros of shape
        (B, n)."""
        zeros = lambda: [
            np.zeros((batch_size, self.num_hiddens), np.float32)
            for _ in range(self.num_layers)
        ]
        return zeros(), zeros()

    def step(self, ids: np.ndarray, state: State) -> tuple[np.ndarray, State]:
        """Read characters ``ids`` (B,) in ``state``: logits (B, V) and the new state.

        Layer 1's gates are ``table[ids] + h^(1) @ W_hh_0``; a higher layer l multiplies
        the two vectors it reads, [h_t^(l-1), h_{t-1}^(l)], by the stacked ``W_l`` in
        one product.
        """
        (h, c), (table, W_hh) = state, self._first
        gates = table[ids]  # a copy (fancy indexing): safe to add into
        gates += h[0] @ W_hh
        h_t, c_t = _lstm_cell(gates, c[0])
        new_h, new_c = [h_t], [c_t]
        for (W, b), h_l, c_l in zip(self._upper, h[1:], c[1:]):
            gates = np.concatenate([h_t, h_l], axis=1) @ W
            gates += b
            h_t, c_t = _lstm_cell(gates, c_l)
            new_h.append(h_t)
            new_c.append(c_t)
        logits = h_t @ self._readout[0]
        logits += self._readout[1]
        return logits, (new_h, new_c)

    def read(self, prompt: str) -> tuple[np.ndarray, State]:
        """Feed ``prompt`` once from a zero state: logits after its last character (V,),
        state."""
        state, logits = self.initial_state(), None
        for i in self._encode_prompt(prompt):
            logits, state = self.step(np.array([i]), state)
        return logits[0], state

    def _encode_prompt(self, prompt: str) -> list[int]:
        if not isinstance(prompt, str):
            raise TypeError(f"prompt must be a str, got {type(prompt).__name__}")
        if not prompt:
            raise ValueError(
                "the prompt is empty: give at least one start character (the "
                "course starts from a random one: sampler.random_character(seed))"
            )
        return self.vocab.encode(prompt).tolist()

    # -- what the model thinks comes next ----------------------------------------------
    def next_distribution(
        self,
        prompt: str,
        temperature: float | None = None,
        beta: float | None = None,
        top_k: int | None = None,
    ) -> np.ndarray:
        """P_τ(next character | prompt), shape (V,), ordered as ``self.vocab.chars``."""
        tau = check_temperature(temperature, beta)
        return softmax_with_temperature(self.read(prompt)[0], tau, top_k=top_k)

    def log_prob(self, prompt: str, continuation: str) -> float:
        """log P(continuation | prompt) under the model, in nats (sum over its
        characters)."""
        logits, state = self.read(prompt)
        total = 0.0
        for i in self.vocab.encode(continuation).tolist():
            total += float(log_softmax(logits)[i])
            logits, state = self.step(np.array([i]), state)
            logits = logits[0]
        return total

    def random_character(self, seed: int | None = None) -> str:
        """A start character drawn uniformly from the vocabulary (the course's way to
        begin)."""
        return self.vocab.chars[np.random.default_rng(seed).integers(len(self.vocab))]

    # -- generation --------------------------------------------------------------------
    def sample(
        self,
        prompt: str,
        length: int,
        temperature: float | None = None,
        beta: float | None = None,
        top_k: int | None = None,
        seed: int | None = None,
    ) -> str:
        """The next ``length`` characters after ``prompt``, each drawn from P_τ
        (τ = 0: greedy).

        A draw is inverse-CDF sampling: the first v whose cumulative probability exceeds
        a uniform u; the t-th draw uses the t-th of
        ``numpy.random.default_rng(seed).random(length)``.
        """
        tau, length = check_temperature(temperature, beta), _check_length(length)
        if top_k is not None:
            _keep_top_k(np.zeros(1), top_k)  # check it now, not in the loop
        logits, state = self.read(prompt)
        uniforms, out = np.random.default_rng(seed).random(length), []
        for t in range(length):
            out.append(_draw(logits, tau, top_k, uniforms[t]))
            if t + 1 < length:
                logits, state = self.step(np.array(out[-1:]), state)
                logits = logits[0]
        return self.vocab.decode(out)

    def greedy(self, prompt: str, length: int) -> str:
        """The most likely character at every step (temperature 0)."""
        return self.sample(prompt, length, temperature=0)

    def beam_search(self, prompt: str, length: int, beam_width: int = 5) -> list[Beam]:
        """The ``beam_width`` most likely continuations of ``length`` characters found
        by beam search, best first, with their log-probabilities
        log P(continuation | prompt).

        Each step extends every kept sequence by every character and keeps the
        beam_width best of the beam_width * V candidates; beam_width = 1 is greedy
        decoding.
        """
        return self._beam_search(prompt, length, beam_width)

    def beam_search_tree(
        self,
        prompt: str,
        length: int,
        beam_width: int = 2,
        branching: int | None = None,
    ) -> BeamTree:
        """:meth:`beam_search`, run as it is, with the candidates of every step kept
        for a drawing (:func:`lib.text.drawing.draw_beam_tree`).

        Of the V extensions of each kept prefix the tree holds the ``branching`` most
        likely (default ``beam_width``) and every one the search kept: a candidate kept
        among all beam_width * V is among the beam_width best of its own prefix's, so
        with ``branching >= beam_width`` these are the same nodes. ``tree.beams`` is
        what :meth:`beam_search` returns.
        """
        branching = beam_width if branching is None else branching
        if (
            isinstance(branching, bool)
            or not isinstance(branching, int)
            or branching < 1
        ):
            raise ValueError(f"branching={branching!r}: expected a positive integer")
        nodes = [BeamNode(0, -1, prompt, 0.0, True)]
        rows = [0]  # the node of each kept prefix, in the search's order

        def record(total: np.ndarray, best: np.ndarray) -> None:
            V, kept = total.shape[1], {int(i): None for i in best}
            for b, parent in enumerate(rows):
                mine = [i % V for i in kept if i // V == b]
                top = np.argsort(-total[b], kind="stable")[:branching].tolist()
                for v in sorted(set(top + mine), key=lambda v: (-total[b, v], v)):
                    flat = b * V + v
                    nodes.append(
                        BeamNode(
                            nodes[parent].step + 1,
                            parent,
                            self.vocab.chars[v],
                            float(total[b, v]),
                            flat in kept,
                        )
                    )
                    if flat in kept:
                        kept[flat] = len(nodes) - 1
            rows[:] = [kept[int(i)] for i in best]

        beams = self._beam_search(prompt, length, beam_width, record)
        path = [rows[0]]
        while nodes[path[0]].parent >= 0:
            path.insert(0, nodes[path[0]].parent)
        return BeamTree(prompt, beam_width, branching, nodes, beams, path)

    def _beam_search(
        self, prompt: str, length: int, beam_width: int, record=None
    ) -> list[Beam]:
        """Beam search; ``record(total, best)``, when given, sees each step's scores
        of the candidates (beams, V) and the flat indices of the kept ones, best
        first."""
        length = _check_length(length)
        if (
            isinstance(beam_width, bool)
            or not isinstance(beam_width, int)
            or beam_width < 1
        ):
            raise ValueError(f"beam_width={beam_width!r}: expected a positive integer")
        logits, state = self.read(prompt)
        logits, scores = logits[None], np.zeros(1)
        seqs = np.zeros((1, 0), dtype=np.int64)
        for t in range(length):
            total = scores[:, None] + log_softmax(logits)  # (B, V)
            best = np.argsort(-total.ravel(), kind="stable")[:beam_width]
            if record is not None:
                record(total, best)
            beam, char = np.divmod(best, len(self.vocab))
            scores, seqs = (
                total.ravel()[best],
                np.concatenate([seqs[beam], char[:, None]], axis=1),
            )
            if t + 1 < length:
                h, c = state
                logits, state = self.step(
                    char, ([x[beam] for x in h], [x[beam] for x in c])
                )
        return [
            Beam(self.vocab.decode(s), float(score)) for s, score in zip(seqs, scores)
        ]


def _draw(logits: np.ndarray, tau: float, top_k: int | None, u: float) -> int:
    """The character id of softmax(logits / τ) at the uniform number u, by inverse CDF.

    τ = 0 is the argmax. (NumPy methods, not functions: at V = 65 the call overhead is
    the cost.)
    """
    if top_k is not None:
        logits = _keep_top_k(logits, top_k)
    if tau == 0:
        return int(logits.argmax())
    if math.isinf(tau):
        weights = np.isfinite(logits).astype(np.float64)
    else:
        weights = np.exp((logits - logits.max()) * (1.0 / tau))  # exp(-inf) = 0 (top-k)
    cdf = weights.cumsum()
    return min(int(cdf.searchsorted(u * cdf[-1], side="right")), len(cdf) - 1)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """sigmoid(x) = (1 + tanh(x / 2)) / 2: the same function, faster than exp in
    NumPy."""
    s = np.tanh(x * 0.5)
    s *= 0.5
    s += 0.5
    return s


def _lstm_cell(gates: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """gates (B, 4n) = [i; f; g; o] pre-activations, c_{t-1} (B, n) -> h_t, c_t
    (chapter 2).

    In place where it can be: at batch 1 the overhead of each NumPy call is most of the
    cost.
    """
    n = c.shape[-1]
    s = _sigmoid(gates)
    c_t = s[:, :n] * np.tanh(gates[:, 2 * n : 3 * n])  # i * g
    c_t += s[:, n : 2 * n] * c  # + f * c_{t-1}
    h_t = np.tanh(c_t)
    h_t *= s[:, 3 * n :]  # o * tanh(c_t)
    return h_t, c_t


def _check_length(length) -> int:
    if (
        isinstance(length, bool)
        or not isinstance(length, (int, np.integer))
        or length < 1
    ):
        raise ValueError(f"length={length!r}: expected a positive number of characters")
    return int(length)


def export_weights(model: CharLSTM) -> dict[str, np.ndarray]:
    """The model's weights as float32 arrays, transposed for ``x @ W`` (row vectors).

    table (V, 4n) = E W_ih^(1)T + b_ih^(1) + b_hh^(1) and W_hh_0 (n, 4n) for the first
    layer; for l >= 1 (the code counts layers from 0): W_l = [W_ih^(l+1) W_hh^(l+1)]^T
    (2n, 4n) and b_l (4n,), the sum of the layer's two biases; W_ph (n, V), b_p (V,).
    Gate columns in torch's order i, f, g, o. The temperature lab exports these same
    arrays to JavaScript.
    """
    double = lambda t: t.detach().cpu().double()
    W_ih, W_hh, b_ih, b_hh = map(double, model.layer_weights(0))
    w = {"table": double(model.E) @ W_ih.T + b_ih + b_hh, "W_hh_0": W_hh.T}
    for l in range(1, model.config.num_layers):
        W_ih, W_hh, b_ih, b_hh = map(double, model.layer_weights(l))
        w[f"W_{l}"], w[f"b_{l}"] = torch.cat([W_ih, W_hh], dim=1).T, b_ih + b_hh
    w["W_ph"], w["b_p"] = double(model.W_ph).T, double(model.b_p)
    return {k: np.ascontiguousarray(v.numpy(), dtype=np.float32) for k, v in w.items()}
