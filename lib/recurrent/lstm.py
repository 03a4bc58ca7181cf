"""The long short-term memory network of chapter 2 (how far back can they remember?).

The equations, in the course's names (x_t in R^d, h_t, c_t in R^n)::

    g_t = tanh(W_gx x_t + W_gh h_{t-1} + b_g)          candidate
    i_t = sigmoid(W_ix x_t + W_ih h_{t-1} + b_i)       input gate
    f_t = sigmoid(W_fx x_t + W_fh h_{t-1} + b_f)       forget gate
    o_t = sigmoid(W_ox x_t + W_oh h_{t-1} + b_o)       output gate
    c_t = g_t * i_t + c_{t-1} * f_t                    cell state, c_0 = 0
    h_t = tanh(c_t) * o_t                              hidden state, h_0 = 0

One parameter layout, two ways to compute. The parameters live where torch's fused LSTM
kernel wants them: ``weight_ih`` (4n, d) stacks W_ix, W_fx, W_gx, W_ox (torch's row
order i, f, g, o), ``weight_hh`` (4n, n) stacks W_ih, W_fh, W_gh, W_oh, and the biases
stack b_i, b_f, b_g, b_o. The book's matrices are views of these rows
(``layer.W_gx is weight_ih[2n:3n]``), so gradients of either are gradients of the other.

* ``fused=True`` (default): ``torch.lstm``, the kernel behind ``torch.nn.LSTM``, as
  fast.
* ``fused=False``: :meth:`LSTMLayer.step`, the six equations above written out, looped
  over t.

``tests/recurrent/test_lstm.py`` asserts that both give the same outputs and gradients.

Careful with one name: the course's ``W_ih`` is the *input gate's recurrent* matrix
(gate i, acting on h), a block of torch's ``weight_hh``; torch's ``weight_ih`` means
input-to-hidden.

Forget-gate bias. ``forget_bias=1.0`` (the default) sets b_f = 1, so that f_t starts
near sigmoid(1) = 0.73 instead of sigmoid(0) = 0.5 and the cell forgets slowly at
initialisation (Gers et al. 2000; Jozefowicz et al. 2015). ``forget_bias=None`` keeps
torch's initialisation, every weight and bias U(-1/sqrt(n), 1/sqrt(n)). Chapter 2 shows
what this does at T = 20.

Building block for other chapters
---------------------------------
:class:`LSTMLayer` maps x (B, T, d) and an optional (h_0, c_0), each (B, n), to all
hidden states H (B, T, n) and the final (h_T, c_T); :class:`StackedLSTM` stacks layers
(layer k reads layer k-1's H) and returns (h_T, c_T) of shape (num_layers, B, n) like
``torch.nn.LSTM``. With the default ``num_biases=2`` they hold exactly torch's
parameters, so weights copy both ways::

    from lib.recurrent.lstm import StackedLSTM
    ours = StackedLSTM(input_size=65, hidden_size=256, num_layers=2)
    theirs = torch.nn.LSTM(65, 256, num_layers=2, batch_first=True)
    ours.load_from_torch_(theirs)                 # or: theirs = ours.to_torch()
    H, (h_T, c_T) = ours(x)                       # == theirs(x) for x (B, T, 65)
    H, state = ours(x_next, state)                # carry the state across chunks

:class:`LSTM` is the palindrome classifier of chapters 2-3 built on one layer (one bias
vector per gate, as in the course's equations).
"""

from __future__ import annotations

import warnings

import torch
from torch import nn

from lib.recurrent.base import RecurrentClassifier, uniform_
from lib.recurrent.encodings import check_has_steps
from lib.recurrent.gradient_flow import per_sequence_grad_norms

GATES = ("i", "f", "g", "o")  # the order of the row blocks in torch's fused weights
# W_ix, W_ih, b_i, ...
GATE_VIEWS = tuple(
    f"{kind}_{g}{end}"
    for g in GATES
    for kind, end in (("W", "x"), ("W", "h"), ("b", ""))
)


def _gate_rows(gate: str, n: int) -> slice:
    k = GATES.index(gate)
    return slice(k * n, (k + 1) * n)


def _gate_view(weight: str, gate: str) -> property:
    """A read-only property: ``gate``'s rows of the fused ``weight``, e.g. W_gx is
    ``weight_ih[2n:3n]``, a view sharing memory and gradient with it."""

    def view(layer: LSTMLayer) -> torch.Tensor:
        return getattr(layer, weight)[_gate_rows(gate, layer.hidden_size)]

    return property(view, doc=f"gate {gate}'s rows of {weight}")


def _gate_bias(gate: str) -> property:
    """A read-only property: b_gate (n,), see :meth:`LSTMLayer.gate_bias`."""
    return property(lambda layer: layer.gate_bias(gate), doc=f"b_{gate} (n,)")


class LSTMLayer(nn.Module):
    """One LSTM layer: x (B, T, d), optional (h_0, c_0) (B, n) -> H (B, T, n),
    (h_T, c_T).

    Args:
        input_size: d.
        hidden_size: n.
        num_biases: 2 holds ``bias_ih`` and ``bias_hh`` (4n,) as torch.nn.LSTM does, so
            weights copy exactly; 1 holds one ``bias`` (4n,), the course's b_g, b_i,
            b_f, b_o. The two compute the same functions: torch only ever uses the sum
            bias_ih + bias_hh.
        forget_bias: initial b_f (see the module docstring); ``None`` keeps torch's
            init.
        fused: compute with torch's fused kernel (True) or the readable loop (False).

    The book's gate matrices are read-only views: ``W_gx``, ``W_ix``, ``W_fx``,
    ``W_ox`` (n, d), ``W_gh``, ``W_ih``, ``W_fh``, ``W_oh`` (n, n) and the biases
    ``b_g``, ``b_i``, ``b_f``, ``b_o`` (n,) (a sum of two views when ``num_biases=2``).
    """

    # The course's names: read-only views of the parameters' gate rows (i, f, g, o).
    W_ix = _gate_view("weight_ih", "i")  # (n, d)
    W_fx = _gate_view("weight_ih", "f")
    W_gx = _gate_view("weight_ih", "g")
    W_ox = _gate_view("weight_ih", "o")
    W_ih = _gate_view("weight_hh", "i")  # (n, n): gate i's, not torch's weight_ih
    W_fh = _gate_view("weight_hh", "f")
    W_gh = _gate_view("weight_hh", "g")
    W_oh = _gate_view("weight_hh", "o")
    b_i = _gate_bias("i")  # (n,)
    b_f = _gate_bias("f")
    b_g = _gate_bias("g")
    b_o = _gate_bias("o")

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_biases: int = 2,
        forget_bias: float | None = 1.0,
        fused: bool = True,
    ):
        super().__init__()
        if num_biases not in (1, 2):
            raise ValueError(f"num_biases must be 1 or 2, got {num_biases}")
        d, n = input_size, hidden_size
        self.input_size, self.hidden_size, self.num_biases, self.fused = (
            d,
            n,
            num_biases,
            fused,
        )
        self.weight_ih = nn.Parameter(uniform_(torch.empty(4 * n, d), n))
        self.weight_hh = nn.Parameter(uniform_(torch.empty(4 * n, n), n))
        names = ("bias",) if num_biases == 1 else ("bias_ih", "bias_hh")
        for name in names:
            setattr(self, name, nn.Parameter(uniform_(torch.empty(4 * n), n)))
        if forget_bias is not None:
            with torch.no_grad():
                for k, name in enumerate(names):  # the sum of the biases is b_f
                    getattr(self, name)[_gate_rows("f", n)] = (
                        forget_bias if k == 0 else 0.0
                    )

    def biases(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(b_ih, b_hh) as torch's kernel takes them; with one bias vector b_hh is
        zero."""
        if self.num_biases == 2:
            return self.bias_ih, self.bias_hh
        return self.bias, torch.zeros_like(self.bias)

    def gate_bias(self, gate: str) -> torch.Tensor:
        b_ih, b_hh = self.biases()
        rows = _gate_rows(gate, self.hidden_size)
        return b_ih[rows] if self.num_biases == 1 else b_ih[rows] + b_hh[rows]

    def init_state(
        self, batch_size: int, like: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        zeros = like.new_zeros(batch_size, self.hidden_size)
        return zeros, zeros

    def gates(
        self, x_t: torch.Tensor, h_prev: torch.Tensor
    ) -> tuple[torch.Tensor, ...]:
        """The candidate and the gates (g_t, i_t, f_t, o_t), each (B, n), for
        x_t (B, d)."""
        g = torch.tanh(x_t @ self.W_gx.T + h_prev @ self.W_gh.T + self.b_g)
        i = torch.sigmoid(x_t @ self.W_ix.T + h_prev @ self.W_ih.T + self.b_i)
        f = torch.sigmoid(x_t @ self.W_fx.T + h_prev @ self.W_fh.T + self.b_f)
        o = torch.sigmoid(x_t @ self.W_ox.T + h_prev @ self.W_oh.T + self.b_o)
        return g, i, f, o

    def step(self, x_t: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]):
        """One step of the equations:
        x_t (B, d), (h_{t-1}, c_{t-1}) (B, n) -> (h_t, c_t)."""
        h_prev, c_prev = state
        g, i, f, o = self.gates(x_t, h_prev)
        c = g * i + c_prev * f
        h = torch.tanh(c) * o
        return h, c

    def forward(
        self, X: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
    ):
        """H (B, T, n) and (h_T, c_T), each (B, n), for X (B, T, d)."""
        state = self._checked(X, state)
        if self.fused:
            weights = [self.weight_ih, self.weight_hh, *self.biases()]
            H, (h_T, c_T) = _fused_lstm(X, state, weights, 1, training=self.training)
            return H, (h_T[0], c_T[0])
        hs = []
        for x_t in X.unbind(
            1
        ):  # unbind, not X[:, t]: indexing makes backward grow with T^2
            state = self.step(x_t, state)
            hs.append(state[0])
        return torch.stack(hs, dim=1), state

    def _checked(self, X, state):
        if (
            not isinstance(X, torch.Tensor)
            or X.dim() != 3
            or X.shape[-1] != self.input_size
        ):
            shape = tuple(X.shape) if isinstance(X, torch.Tensor) else type(X).__name__
            raise ValueError(
                f"x must have shape (B, T, {self.input_size}), got {shape}"
            )
        if X.dtype != self.weight_ih.dtype:
            raise TypeError(
                f"x is {X.dtype} but the layer computes in {self.weight_ih.dtype}"
            )
        check_has_steps(X)
        if state is None:
            return self.init_state(X.shape[0], X)
        expected = (X.shape[0], self.hidden_size)
        if len(state) != 2 or any(tuple(s.shape) != expected for s in state):
            raise ValueError(
                f"state must be (h_0, c_0), each of shape {expected}, "
                f"got {[tuple(s.shape) for s in state]}"
            )
        return state

    def load_from_torch_(self, lstm: nn.LSTM, layer: int = 0) -> LSTMLayer:
        """Copy layer ``layer`` of a batch-first, unidirectional ``torch.nn.LSTM`` into
        this one."""
        _check_torch_lstm(
            lstm,
            self.input_size if layer == 0 else self.hidden_size,
            self.hidden_size,
            layer,
        )
        with torch.no_grad():
            self.weight_ih.copy_(getattr(lstm, f"weight_ih_l{layer}"))
            self.weight_hh.copy_(getattr(lstm, f"weight_hh_l{layer}"))
            b_ih, b_hh = (
                getattr(lstm, f"bias_ih_l{layer}"),
                getattr(lstm, f"bias_hh_l{layer}"),
            )
            if self.num_biases == 2:
                self.bias_ih.copy_(b_ih)
                self.bias_hh.copy_(b_hh)
            else:
                self.bias.copy_(b_ih + b_hh)
        return self

    def extra_repr(self) -> str:
        return (
            f"input_size={self.input_size}, hidden_size={self.hidden_size}, "
            f"num_biases={self.num_biases}, fused={self.fused}"
        )


def _check_torch_lstm(
    lstm: nn.LSTM, input_size: int, hidden_size: int, layer: int
) -> None:
    if not isinstance(lstm, nn.LSTM):
        raise TypeError(f"expected a torch.nn.LSTM, got {type(lstm).__name__}")
    if not lstm.batch_first or lstm.bidirectional or not lstm.bias or lstm.proj_size:
        raise ValueError(
            "only batch_first=True, unidirectional LSTMs with biases and no "
            "projection have this layout"
        )
    if layer >= lstm.num_layers:
        raise ValueError(
            f"the torch LSTM has {lstm.num_layers} layers, asked for layer {layer}"
        )
    got_in = getattr(lstm, f"weight_ih_l{layer}").shape[1]
    if (got_in, lstm.hidden_size) != (input_size, hidden_size):
        raise ValueError(
            f"layer {layer}: torch LSTM has input {got_in}, hidden "
            f"{lstm.hidden_size}; this one expects {input_size}, {hidden_size}"
        )


def _fused_lstm(
    X, state, weights, num_layers: int, dropout: float = 0.0, training: bool = False
):
    """``torch.lstm`` (the kernel of torch.nn.LSTM), batch first; state entries
    (L, B, n)."""
    h_0, c_0 = state
    if h_0.dim() == 2:
        h_0, c_0 = h_0.unsqueeze(0), c_0.unsqueeze(0)
    with warnings.catch_warnings():
        # cuDNN copies weights that are not one contiguous block into one (cheap at
        # these sizes) and says so on every call; nn.LSTM avoids it with
        # flatten_parameters().
        warnings.filterwarnings(
            "ignore", message="RNN module weights are not part of single"
        )
        H, h_T, c_T = torch.lstm(
            X, (h_0, c_0), weights, True, num_layers, dropout, training, False, True
        )
    return H, (h_T, c_T)


class StackedLSTM(nn.Module):
    """``num_layers`` LSTM layers, layer k reading layer k-1's hidden states
    (as torch.nn.LSTM).

    x (B, T, d), optional (h_0, c_0) each (num_layers, B, n) -> H (B, T, n) of the last
    layer and (h_T, c_T) each (num_layers, B, n). ``dropout`` acts on the outputs of
    every layer but the last, in training mode only (torch's convention). ``layers[k]``
    is an :class:`LSTMLayer`.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        dropout: float = 0.0,
        num_biases: int = 2,
        forget_bias: float | None = 1.0,
        fused: bool = True,
    ):
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"num_layers must be >= 1, got {num_layers}")
        self.input_size, self.hidden_size, self.num_layers = (
            input_size,
            hidden_size,
            num_layers,
        )
        self.dropout = dropout
        self.layers = nn.ModuleList(
            LSTMLayer(
                input_size if k == 0 else hidden_size,
                hidden_size,
                num_biases,
                forget_bias,
                fused,
            )
            for k in range(num_layers)
        )

    @property
    def fused(self) -> bool:
        return self.layers[0].fused

    @fused.setter
    def fused(self, value: bool) -> None:
        for layer in self.layers:
            layer.fused = value

    def forward(
        self, X: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
    ):
        B = X.shape[0] if isinstance(X, torch.Tensor) and X.dim() == 3 else None
        states = [None] * self.num_layers if state is None else self._split(state, B)
        if self.fused:
            self.layers[0]._checked(X, states[0])
            init = [
                s if s is not None else layer.init_state(B, X)
                for s, layer in zip(states, self.layers)
            ]
            h_0 = torch.stack([h for h, _ in init]), torch.stack([c for _, c in init])
            weights = [
                w
                for layer in self.layers
                for w in (layer.weight_ih, layer.weight_hh, *layer.biases())
            ]
            return _fused_lstm(
                X, h_0, weights, self.num_layers, self.dropout, self.training
            )
        finals = []
        for k, (layer, layer_state) in enumerate(zip(self.layers, states)):
            if k > 0:
                X = nn.functional.dropout(X, self.dropout, self.training)
            X, final = layer(X, layer_state)
            finals.append(final)
        return X, (
            torch.stack([h for h, _ in finals]),
            torch.stack([c for _, c in finals]),
        )

    def _split(self, state, batch_size):
        expected = (self.num_layers, batch_size, self.hidden_size)
        if len(state) != 2 or any(tuple(s.shape) != expected for s in state):
            raise ValueError(
                f"state must be (h_0, c_0), each of shape {expected}, "
                f"got {[tuple(s.shape) for s in state]}"
            )
        return list(zip(state[0].unbind(0), state[1].unbind(0)))

    def load_from_torch_(self, lstm: nn.LSTM) -> StackedLSTM:
        """Copy every layer of a batch-first ``torch.nn.LSTM`` with as many layers."""
        if not isinstance(lstm, nn.LSTM) or lstm.num_layers != self.num_layers:
            raise ValueError(f"expected a torch.nn.LSTM with {self.num_layers} layers")
        for k, layer in enumerate(self.layers):
            layer.load_from_torch_(lstm, k)
        return self

    def to_torch(self) -> nn.LSTM:
        """A ``torch.nn.LSTM`` (batch_first) computing the same function, on the same
        device."""
        first = self.layers[0].weight_ih
        lstm = nn.LSTM(
            self.input_size,
            self.hidden_size,
            self.num_layers,
            batch_first=True,
            dropout=self.dropout,
            device=first.device,
            dtype=first.dtype,
        )
        with torch.no_grad():
            for k, layer in enumerate(self.layers):
                b_ih, b_hh = layer.biases()
                for name, value in (
                    ("weight_ih", layer.weight_ih),
                    ("weight_hh", layer.weight_hh),
                    ("bias_ih", b_ih),
                    ("bias_hh", b_hh),
                ):
                    getattr(lstm, f"{name}_l{k}").copy_(value)
        return lstm


class LSTM(RecurrentClassifier):
    """The LSTM palindrome classifier: one :class:`LSTMLayer`, read out from h_T.

    Parameters: ``layer.weight_ih`` (4n, d), ``layer.weight_hh`` (4n, n),
    ``layer.bias`` (4n,) (one bias per gate, as in the course), ``W_ph`` (c, n),
    ``b_p`` (c,): in all 4(nd + n^2 + n) + cn + c numbers. The course's matrices are
    views: ``model.W_gx``, ``model.b_f``, ... (see :class:`LSTMLayer`).

    ``forward(seq)`` runs the fused kernel (or the loop with ``fused=False``);
    ``forward(seq, return_hidden_states=True)`` always runs the loop, so that each h_t
    it returns is a node of the graph and dL/dh_t is defined (chapter 2's gradient
    flow).
    """

    # The course's names, read from the layer: model.W_gx is model.layer.W_gx.
    W_ix = property(lambda self: self.layer.W_ix)
    W_fx = property(lambda self: self.layer.W_fx)
    W_gx = property(lambda self: self.layer.W_gx)
    W_ox = property(lambda self: self.layer.W_ox)
    W_ih = property(lambda self: self.layer.W_ih)
    W_fh = property(lambda self: self.layer.W_fh)
    W_gh = property(lambda self: self.layer.W_gh)
    W_oh = property(lambda self: self.layer.W_oh)
    b_i = property(lambda self: self.layer.b_i)
    b_f = property(lambda self: self.layer.b_f)
    b_g = property(lambda self: self.layer.b_g)
    b_o = property(lambda self: self.layer.b_o)

    def __init__(
        self,
        num_hiddens: int = 128,
        num_classes: int = 10,
        forget_bias: float | None = 1.0,
        fused: bool = True,
        **inputs,
    ):
        super().__init__(num_hiddens, num_classes, **inputs)
        self.layer = LSTMLayer(
            self.input_dim,
            num_hiddens,
            num_biases=1,
            forget_bias=forget_bias,
            fused=fused,
        )

    def init_state(self, batch_size, like):
        return self.layer.init_state(batch_size, like)

    def step(self, x_t, state):
        return self.layer.step(x_t, state)

    def forward(self, seq: torch.Tensor, return_hidden_states: bool = False):
        if return_hidden_states:
            return super().forward(seq, return_hidden_states=True)
        X = self.inputs(seq, dtype=self.W_ph.dtype)
        _H, (h_T, _) = self.layer(X)
        return h_T @ self.W_ph.T + self.b_p


def unroll(model: LSTM, seq: torch.Tensor) -> dict[str, list[torch.Tensor]]:
    """Every quantity of the equations at every step, by the readable loop, as graph
    nodes.

    Returns lists of T tensors (B, n) under the keys ``h``, ``c``, ``g``, ``i``, ``f``,
    ``o`` and the logits (B, c) under ``logits``; gradients with respect to any of them
    are defined.
    """
    X = model.inputs(seq, dtype=model.W_ph.dtype)
    h, c = model.init_state(X.shape[0], X)
    out = {key: [] for key in ("h", "c", "g", "i", "f", "o")}
    for x_t in X.unbind(1):
        g, i, f, o = model.layer.gates(x_t, h)
        c = g * i + c * f
        h = torch.tanh(c) * o
        for key, value in zip("hcgifo", (h, c, g, i, f, o)):
            out[key].append(value)
    out["logits"] = h @ model.W_ph.T + model.b_p
    return out


def state_grad_norms(
    model: LSTM, seq: torch.Tensor, y: torch.Tensor
) -> dict[str, torch.Tensor]:
    """||dL/dh_t|| and ||dL/dc_t|| for t = 1..T (per sequence, batch mean), each of
    shape (T,).

    The LSTM counterpart of :func:`lib.recurrent.gradient_flow.hidden_state_grad_norms`,
    with the cell state.
    """
    states = unroll(model, seq)
    loss = nn.functional.cross_entropy(states["logits"], y)
    norms = per_sequence_grad_norms(loss, states["h"] + states["c"])
    T = len(states["h"])
    return {"h": norms[:T], "c": norms[T:]}


def lstm_num_params(d: int, n: int, c: int, num_biases: int = 1) -> int:
    """4(nd + n^2 + n) + cn + c with one bias per gate; torch.nn.LSTM's layer has
    two: +4n."""
    return 4 * (n * d + n * n + num_biases * n) + c * n + c
