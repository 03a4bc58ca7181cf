"""How fast is a GCN epoch? Dense vs sparse formulations side by side, and a full Cora
run.

    python scripts/bench_gcn.py [--repeats 5] [--epochs 10] [--skip-pubmed-dense]

One epoch = forward + backward + Adam step of Kipf & Welling's 2-layer GCN (16 hidden
units, dropout 0.5 on the input features and the hidden layer, weight decay on the first
layer). The formulations differ only in how they compute X W (features) and A_hat H
(propagation):

  dense           A_hat as a dense N x N matrix, X dense (dropout mask over all N x F
                  entries)
  coo             torch.sparse.mm with COO A_hat and COO X (PyTorch's generic sparse
                  backward)
  csr             A_hat @ H and X @ W with torch CSR tensors (PyTorch's autograd)
  index_add       messages w_ij H_j gathered per edge and summed with index_add_; X as
                  in lib
  scatter_add     the same with scatter_add_
  lib (ours)      lib.graphs.sparse.SparseMatrix: CSR products whose backward uses a
                  stored transpose, dropout on the stored values of X (what
                  lib.graphs.gcn.GCN runs)
  lib, dense X    the same with X dense: the dropout mask then covers all N x F entries

on the real Cora graph and on uniform random graphs with the sizes of Cora and PubMed
(same N, edges, features and feature density). Epochs of the formulations are
interleaved (round robin) and the median is reported, so that a noisy machine hurts
them alike. Then it times what the book runs:
``lib.graphs.node_classification.train_nodes`` for 200 epochs on Cora, validation
included. Targets (issue 5): lib within 1.2x of the fastest formulation; 200 Cora epochs
< 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import torch
from torch import nn

from lib.graphs import (
    GCN,
    SparseMatrix,
    dropout,
    load_planetoid,
    normalized_adjacency,
    normalized_edges,
    train_nodes,
)

warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")


def random_graph(num_nodes, num_edges, num_features, density, num_classes, seed=0):
    """A uniform random undirected graph and random sparse features (a stand-in of that
    size)."""
    g = torch.Generator().manual_seed(seed)
    i, j = torch.randint(num_nodes, (2, num_edges), generator=g)
    edge_index = torch.cat([torch.stack([i, j]), torch.stack([j, i])], 1)
    edge_index = edge_index[:, edge_index[0] != edge_index[1]]
    nnz = int(density * num_nodes * num_features)
    rows, cols = (
        torch.randint(num_nodes, (nnz,), generator=g),
        torch.randint(num_features, (nnz,), generator=g),
    )
    X = torch.sparse_coo_tensor(
        torch.stack([rows, cols]),
        torch.rand(nnz, generator=g),
        (num_nodes, num_features),
        check_invariants=True,
    ).coalesce()
    y = torch.randint(num_classes, (num_nodes,), generator=g)
    return edge_index, X, y


def formulations(edge_index, X_coo, num_nodes, dense_ok):
    """name -> (propagate(H), features, feature product (X, W), dropout for X)."""
    ei, w = normalized_edges(edge_index, num_nodes)
    A = SparseMatrix(ei, w, (num_nodes, num_nodes))
    A_coo, X_lib = A.to_coo(), SparseMatrix.from_coo(X_coo)
    A_csr, X_csr = A_coo.to_sparse_csr(), X_coo.to_sparse_csr()
    i, j = ei

    def csr_dropout(X, p):
        return torch.sparse_csr_tensor(
            X.crow_indices(),
            X.col_indices(),
            nn.functional.dropout(X.values(), p),
            X.shape,
            check_invariants=False,
        )

    def coo_dropout(X, p):
        return torch.sparse_coo_tensor(
            X.indices(),
            nn.functional.dropout(X.values(), p),
            X.shape,
            is_coalesced=True,
            check_invariants=False,
        )

    def gather_sum(reduce):
        def propagate(H):
            messages = w.unsqueeze(1) * H.index_select(0, j)
            if reduce == "index_add":
                return torch.zeros_like(H).index_add_(0, i, messages)
            return torch.zeros_like(H).scatter_add_(
                0, i.unsqueeze(1).expand_as(messages), messages
            )

        return propagate

    lib_product = lambda X, W: X @ W
    table = {
        "coo": (
            lambda H: torch.sparse.mm(A_coo, H),
            X_coo,
            torch.sparse.mm,
            coo_dropout,
        ),
        "csr": (lambda H: A_csr @ H, X_csr, lambda X, W: X @ W, csr_dropout),
        "index_add": (gather_sum("index_add"), X_lib, lib_product, dropout),
        "scatter_add": (gather_sum("scatter_add"), X_lib, lib_product, dropout),
        "lib (ours)": (lambda H: A @ H, X_lib, lib_product, dropout),
        "lib, dense X": (lambda H: A @ H, X_coo.to_dense(), lib_product, dropout),
    }
    if dense_ok:
        A_dense = A_coo.to_dense()
        table = {
            "dense": (lambda H: A_dense @ H, X_coo.to_dense(), lib_product, dropout),
            **table,
        }
    return table


def make_epoch(propagate, X, product, drop, y, train_idx, num_classes, seed=0):
    """One GCN training epoch with the given operations (same model, init and
    optimiser)."""
    torch.manual_seed(seed)
    W1 = nn.Parameter(nn.init.xavier_uniform_(torch.empty(X.shape[1], 16)))
    W2 = nn.Parameter(nn.init.xavier_uniform_(torch.empty(16, num_classes)))
    opt = torch.optim.Adam([W1, W2], lr=0.01)
    y_train = y[train_idx]

    def epoch():
        H = propagate(product(drop(X, 0.5), W1)).relu()
        logits = propagate(dropout(H, 0.5) @ W2)
        loss = nn.functional.cross_entropy(logits.index_select(0, train_idx), y_train)
        loss = loss + 5e-4 / 2 * W1.square().sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return epoch


def bench(name, edge_index, X_coo, y, num_classes, args, dense_ok=True):
    N = X_coo.shape[0]
    train_idx = torch.arange(min(140, N))
    epochs = {
        k: make_epoch(*v, y, train_idx, num_classes)
        for k, v in formulations(edge_index, X_coo, N, dense_ok).items()
    }
    times = {k: [] for k in epochs}
    for _ in range(args.repeats):  # round robin: noise hits every formulation
        for k, epoch in epochs.items():
            epoch()  # warm-up of this round (allocator, caches)
            start = time.perf_counter()
            for _ in range(args.epochs):
                epoch()
            times[k].append((time.perf_counter() - start) / args.epochs)
    median = {k: statistics.median(v) for k, v in times.items()}
    fastest = min(median.values())
    nnz_a = normalized_edges(edge_index, N)[0].shape[1]
    print(
        f"\n{name}: N = {N}, nnz(A_hat) = {nnz_a}, features {X_coo.shape[1]} "
        f"(nnz {X_coo._nnz()}); dense A_hat would take {N * N * 4 / 2**20:.0f} MiB, "
        f"sparse {nnz_a * 12 / 2**20:.2f} MiB (values + indices)"
    )
    print(f"  {'formulation':14s} {'ms/epoch':>9s} {'x fastest':>10s}")
    for k, t in sorted(median.items(), key=lambda kv: kv[1]):
        print(f"  {k:14s} {1000 * t:9.2f} {t / fastest:10.2f}")
    if not dense_ok:
        print("  (dense skipped: --skip-pubmed-dense)")
    return median


def full_cora_run(data, runs=3):
    """What the book runs: 200 epochs of train_nodes (validation every epoch), no early
    stop."""
    A_hat = normalized_adjacency(data.edge_index, data.num_nodes)
    seconds = []
    for seed in range(runs):
        torch.manual_seed(seed)
        model = GCN(data.num_features, 16, data.num_classes)
        hist = train_nodes(
            model,
            (A_hat, data.X),
            data,
            epochs=200,
            lr=0.01,
            weight_decay=5e-4,
            decayed=model.decayed_parameters(),
            progress=False,
        )
        seconds.append(hist.seconds)
    return seconds, hist.test_accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeats", type=int, default=5, help="rounds of the round robin"
    )
    parser.add_argument("--epochs", type=int, default=10, help="timed epochs per round")
    parser.add_argument(
        "--skip-pubmed-dense",
        action="store_true",
        help="skip the dense PubMed-sized run (1.5 GB, seconds per epoch)",
    )
    args = parser.parse_args()
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads; "
        f"{args.repeats} rounds x {args.epochs} epochs, medians"
    )
    cora = load_planetoid("cora")
    cora_x = cora.X.to_coo()
    results = {
        "Cora": bench("Cora (real graph)", cora.edge_index, cora_x, cora.y, 7, args)
    }
    density = cora_x._nnz() / (cora.num_nodes * cora.num_features)
    results["Cora-sized random"] = bench(
        "Cora-sized uniform random graph",
        *random_graph(2708, 5278, 1433, density, 7),
        7,
        args,
    )
    pubmed_args = argparse.Namespace(
        repeats=max(1, args.repeats // 2), epochs=max(1, args.epochs // 5)
    )
    results["PubMed-sized random"] = bench(
        "PubMed-sized uniform random graph (features 10% dense, like PubMed's TF-IDF)",
        *random_graph(19717, 44324, 500, 0.10, 3),
        3,
        pubmed_args,
        dense_ok=not args.skip_pubmed_dense,
    )

    print("\nlib (ours) relative to the fastest formulation (target: within 1.2x):")
    for name, median in results.items():
        print(f"  {name:22s} {median['lib (ours)'] / min(median.values()):.2f}x")
    seconds, accuracy = full_cora_run(cora)
    print(
        "\nFull Cora run (train_nodes, 200 epochs incl. validation every epoch; "
        "target < 2 s): "
        f"{', '.join(f'{s:.2f} s' for s in seconds)} "
        f"(test accuracy of the last: {accuracy:.3f})"
    )


if __name__ == "__main__":
    main()
