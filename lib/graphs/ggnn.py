"""A recurrent network over a graph: gated graph neural networks, after Li et al.
(2016).

A recurrent network applies one cell, with one set of weights, at every time step: it is
message passing on a chain, h_t = cell(x_t, h_{t-1}). A gated graph layer does the same
on any graph, for T propagation steps, with the steps playing the role of time:

    m_i^(t) = sum_{j in N(i)} h_j^(t-1) W            messages from the neighbours (sum)
    h_i^(t) = GRU(m_i^(t), h_i^(t-1))                the node's state is the GRU's state

with the GRU cell of Cho et al. (2014) (r: reset gate, z: update gate, * elementwise)

    r = sigmoid(W_ir m + b_ir + W_hr h + b_hr)
    z = sigmoid(W_iz m + b_iz + W_hz h + b_hz)
    n = tanh(W_in m + b_in + r * (W_hn h + b_hn))
    h' = (1 - z) * n + z * h

as ``torch.nn.GRUCell`` computes it. ``update="tanh"`` replaces the GRU by the vanilla
cell of chapter 1, h' = tanh(m W_mh + h W_hh + b): the same comparison as vanilla RNN vs
LSTM, on a graph. Since the weights do not depend on t, the number of steps is a free
choice at run time, as the length of a sequence is for an RNN; a stack of GCN layers has
a fixed depth.
"""

from __future__ import annotations

import torch
from torch import nn

from lib.graphs.sparse import SparseMatrix

UPDATES = ("gru", "tanh")


class VanillaCell(nn.Module):
    """h' = tanh(m W_mh + h W_hh + b): the Elman cell, as a drop-in for nn.GRUCell."""

    def __init__(self, num_hiddens: int):
        super().__init__()
        self.W_mh = nn.Linear(num_hiddens, num_hiddens, bias=True)
        self.W_hh = nn.Linear(num_hiddens, num_hiddens, bias=False)

    def forward(self, m: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.W_mh(m) + self.W_hh(h))


class GatedGraphLayer(nn.Module):
    """T steps of message passing with one shared message map W and one recurrent cell.

    Shapes: A (N, N) adjacency (a :class:`lib.graphs.sparse.SparseMatrix`, unnormalised,
    no self-loops: the cell already sees h_i), H (N, num_hiddens) -> (N, num_hiddens).
    """

    def __init__(self, num_hiddens: int, num_steps: int, update: str = "gru"):
        super().__init__()
        if update not in UPDATES:
            raise ValueError(f"update={update!r}: expected one of {UPDATES}")
        self.num_hiddens, self.num_steps, self.update = num_hiddens, num_steps, update
        self.W = nn.Linear(num_hiddens, num_hiddens, bias=False)
        self.cell = (
            nn.GRUCell(num_hiddens, num_hiddens)
            if update == "gru"
            else VanillaCell(num_hiddens)
        )

    def forward(
        self,
        A: SparseMatrix,
        H: torch.Tensor,
        num_steps: int | None = None,
        return_states: bool = False,
    ):
        if H.dim() != 2 or H.shape != (A.shape[0], self.num_hiddens):
            raise ValueError(
                f"H must have shape ({A.shape[0]}, {self.num_hiddens}), "
                f"got {tuple(H.shape)}"
            )
        states = [H]
        for _ in range(self.num_steps if num_steps is None else num_steps):
            messages = A @ self.W(states[-1])  # m_i = sum_j A_ij h_j W
            states.append(self.cell(messages, states[-1]))
        return (states[-1], states) if return_states else states[-1]


class GGNN(nn.Module):
    """Node classifier: h^(0) = embed(x), T gated steps, logits = readout(h^(T)).

    ``num_steps`` is T, or a range (lo, hi): in training each forward pass then draws T
    uniformly from lo..hi, so that the learned update cannot rely on a particular T (it
    has to settle into a fixed point); in evaluation T = hi.
    ``forward(A, X, num_steps=None)``: X (N, F) -> logits (N, C); an explicit
    ``num_steps`` overrides both.
    """

    def __init__(
        self,
        in_features: int,
        num_hiddens: int,
        num_classes: int,
        num_steps: int | tuple[int, int],
        update: str = "gru",
    ):
        super().__init__()
        self.steps = (
            (num_steps, num_steps) if isinstance(num_steps, int) else tuple(num_steps)
        )
        if not 0 <= self.steps[0] <= self.steps[1]:
            raise ValueError(
                f"num_steps must be T >= 0 or a range (lo, hi), got {num_steps}"
            )
        self.embed = nn.Linear(in_features, num_hiddens)
        self.propagate = GatedGraphLayer(num_hiddens, self.steps[1], update)
        self.readout = nn.Linear(num_hiddens, num_classes)

    def forward(self, A: SparseMatrix, X: torch.Tensor, num_steps: int | None = None):
        if num_steps is None:
            lo, hi = self.steps
            num_steps = int(torch.randint(lo, hi + 1, ())) if self.training else hi
        return self.readout(self.propagate(A, self.embed(X), num_steps))
