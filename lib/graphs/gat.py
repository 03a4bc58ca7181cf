"""Graph attention networks from scratch, after Velickovic et al. (2018).

One head k of a layer, for the edges j -> i of the graph with self-loops
(N(i) includes i):

    z_i      = W^k h_i                                    (F_out,)
    e_ij     = LeakyReLU_0.2( a^k^T [z_i || z_j] )        a^k = [a_dst^k || a_src^k]
             = LeakyReLU_0.2( a_dst^k . z_i + a_src^k . z_j )
    alpha_ij = exp(e_ij) / sum_{l in N(i)} exp(e_il)      softmax over i's neighbourhood
    h'_i     = sum_{j in N(i)} alpha_ij z_j

and the K heads are concatenated (hidden layers, followed by ELU) or averaged
(the output layer). Dropout (p = 0.6) acts on each layer's input and on the normalised
alpha_ij, as the paper says; the authors' code also drops the z_j that are summed
(``value_dropout``), and so does :class:`GAT` by default (the reproduction chapter
measures the difference on CiteSeer).

Everything is computed on the E edges (i, j) of the graph (see :mod:`lib.graphs.edges`
for the convention), never on an N x N matrix: scores and weights are (E, K) tensors and
the softmax normalises over the edges that share a target i. The sum over j is then, for
each head, a sparse matrix with the pattern of A + I and the alpha_ij as its values
times Z: the GCN's product A_hat (H W) with fixed weights 1/sqrt(d~_i d~_j) replaced by
learned ones. The K heads are done in one product with the block-diagonal matrix
diag(A, ..., A) (one block per head).
"""

from __future__ import annotations

import torch
from torch import nn

from lib.graphs.sparse import SparseMatrix, dropout, matmul


def edge_softmax(
    scores: torch.Tensor, target: torch.Tensor, num_nodes: int
) -> torch.Tensor:
    """alpha (E, K): softmax of ``scores`` (E, K) over the edges with the same
    ``target`` (E,).

    Subtracting each group's maximum (a constant per group, so the result is unchanged)
    keeps exp() from overflowing; it is detached because the softmax does not depend on
    it.
    """
    index = target.unsqueeze(1).expand_as(scores)
    group_max = torch.full(
        (num_nodes, scores.shape[1]),
        float("-inf"),
        dtype=scores.dtype,
        device=scores.device,
    )
    group_max = group_max.scatter_reduce(0, index, scores.detach(), reduce="amax")
    exp = (scores - group_max.index_select(0, target)).exp()
    total = torch.zeros_like(group_max).index_add_(0, target, exp)
    return exp / total.index_select(0, target)


def attention_entropy(
    alpha: torch.Tensor, target: torch.Tensor, num_nodes: int
) -> torch.Tensor:
    """H (N, K): entropy of each node's attention, per head, in nats:

        H_i^k = - sum_{j in N(i)} alpha_ij^k log alpha_ij^k,

    for weights ``alpha`` (E, K) on edges with targets ``target`` (E,) (a layer's
    ``return_attention`` and ``A.indices[0]``). Uniform weights 1/d~_i give the largest
    value, log d~_i; all the weight on one neighbour gives 0 (0 log 0 counts as 0).
    """
    if alpha.dim() != 2 or target.shape != alpha.shape[:1]:
        raise ValueError(
            f"alpha must be (E, K) and target (E,), got "
            f"{tuple(alpha.shape)} and {tuple(target.shape)}"
        )
    terms = -alpha * alpha.clamp_min(1e-12).log()  # (E, K)
    return torch.zeros(
        num_nodes, alpha.shape[1], dtype=alpha.dtype, device=alpha.device
    ).index_add_(0, target, terms)


class GATLayer(nn.Module):
    """K attention heads. Shapes: H (N, F_in) dense or a
    :class:`lib.graphs.sparse.SparseMatrix`, A (N, N) a SparseMatrix whose pattern is
    the graph with self-loops (its values are not used; build it with
    ``sparse_adjacency(add_self_loops(edge_index, N), N)`` from
    :mod:`lib.graphs.edges`) -> (N, K * F_out) if ``concat`` else (N, F_out).

    Parameters: W (F_in, K * F_out) (the K matrices W^k side by side), a_src and
    a_dst (K, F_out), b (out,). Glorot initialisation, as in the paper's code.
    ``dropout`` acts on alpha, ``value_dropout`` on the z_j before they are summed
    (in training only).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        heads: int = 1,
        concat: bool = True,
        dropout: float = 0.6,
        negative_slope: float = 0.2,
        bias: bool = True,
        value_dropout: float = 0.0,
    ):
        super().__init__()
        self.in_features, self.out_features, self.heads = (
            in_features,
            out_features,
            heads,
        )
        self.concat, self.dropout, self.negative_slope = concat, dropout, negative_slope
        self.value_dropout = value_dropout
        self.W = nn.Parameter(
            nn.init.xavier_uniform_(torch.empty(in_features, heads * out_features))
        )
        self.a_src = nn.Parameter(
            nn.init.xavier_uniform_(torch.empty(heads, out_features))
        )
        self.a_dst = nn.Parameter(
            nn.init.xavier_uniform_(torch.empty(heads, out_features))
        )
        size = heads * out_features if concat else out_features
        self.b = nn.Parameter(torch.zeros(size)) if bias else None

    def forward(self, A: SparseMatrix, H, return_attention: bool = False):
        """Output, and with ``return_attention`` the weights alpha (E, K) on the edges
        A.indices."""
        if H.dim() != 2 or H.shape[-1] != self.in_features or H.shape[0] != A.shape[0]:
            raise ValueError(
                f"H must have shape ({A.shape[0]}, {self.in_features}), "
                f"got {tuple(H.shape)}"
            )
        N, (i, j) = H.shape[0], A.indices
        Z = matmul(H, self.W).view(N, self.heads, self.out_features)  # z_i per head
        s_dst, s_src = (Z * self.a_dst).sum(-1), (Z * self.a_src).sum(-1)  # (N, K) each
        scores = s_dst.index_select(0, i) + s_src.index_select(0, j)  # (E, K)
        alpha = edge_softmax(
            nn.functional.leaky_relu(scores, self.negative_slope), i, N
        )
        weights = dropout(alpha, self.dropout, self.training)
        values = dropout(Z, self.value_dropout, self.training)
        # all heads in one sparse product:
        # block k of diag(A, ..., A) carries head k's alpha
        # (K N, F)
        Z_heads = values.transpose(0, 1).reshape(self.heads * N, self.out_features)
        blocks = A.block_diagonal(self.heads).with_values(weights.T.reshape(-1))
        out = (blocks @ Z_heads).view(self.heads, N, self.out_features).transpose(0, 1)
        out = out.reshape(N, -1) if self.concat else out.mean(1)  # (N, K, F) ->
        if self.b is not None:
            out = out + self.b
        return (out, alpha) if return_attention else out

    def extra_repr(self) -> str:
        return (
            f"{self.in_features} -> {self.heads} x {self.out_features} "
            f"({'concat' if self.concat else 'mean'}), dropout={self.dropout}"
        )


class GAT(nn.Module):
    """The paper's transductive model: dropout -> GATLayer(K heads, concat) -> ELU ->
    dropout -> GATLayer(K_out heads, averaged) -> logits. Cora and CiteSeer: 8 heads of
    8 units, 1 output head; PubMed: 8 output heads. ``A`` is the graph with self-loops,
    as for :class:`GATLayer`. ``value_dropout`` (default: ``dropout``, as in the
    authors' code; 0 for the paper's text)."""

    def __init__(
        self,
        in_features: int,
        num_hiddens: int,
        num_classes: int,
        heads: int = 8,
        output_heads: int = 1,
        dropout: float = 0.6,
        value_dropout: float | None = None,
    ):
        super().__init__()
        self.dropout = dropout
        value_dropout = dropout if value_dropout is None else value_dropout
        self.hidden = GATLayer(
            in_features,
            num_hiddens,
            heads,
            concat=True,
            dropout=dropout,
            value_dropout=value_dropout,
        )
        self.output = GATLayer(
            num_hiddens * heads,
            num_classes,
            output_heads,
            concat=False,
            dropout=dropout,
            value_dropout=value_dropout,
        )

    def forward(self, A: SparseMatrix, X, return_attention: bool = False):
        H, alpha1 = self.hidden(A, dropout(X, self.dropout, self.training), True)
        H = nn.functional.elu(H)
        out, alpha2 = self.output(A, dropout(H, self.dropout, self.training), True)
        return (out, [alpha1, alpha2]) if return_attention else out
