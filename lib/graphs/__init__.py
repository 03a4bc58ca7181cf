"""The graph wing: graph convolutional, attention and gated graph networks.

Sparse products (:mod:`~lib.graphs.sparse`), edge lists, the course's graphs and their
normalisations (:mod:`~lib.graphs.edges`), the models :class:`GCN`, :class:`GAT` and
:class:`GGNN` and the graph-free baseline :class:`MLP`, the Planetoid citation data,
node classification, the reachability task, over-smoothing, drawing, and the papers'
training setups (:mod:`~lib.graphs.reproduction`).

Imports only the shared modules of :mod:`lib`.
"""

from lib.graphs.drawing import draw_graph, layout
from lib.graphs.edges import (
    COURSE_EDGES,
    COURSE_NODES,
    NORMALIZATIONS,
    add_self_loops,
    check_edge_index,
    coalesce,
    course_graph,
    degree,
    dense_adjacency,
    disjoint_union,
    from_networkx,
    karate_club,
    karate_split,
    normalized_adjacency,
    normalized_edges,
    receptive_field,
    sparse_adjacency,
)
from lib.graphs.gat import GAT, GATLayer, attention_entropy, edge_softmax
from lib.graphs.gcn import GCN, MLP, GCNLayer, check_inputs, influence
from lib.graphs.ggnn import GGNN, UPDATES, GatedGraphLayer, VanillaCell
from lib.graphs.node_classification import (
    NodeHistory,
    PatienceStopping,
    WindowStopping,
    evaluate,
    l2_penalty,
    train_nodes,
)
from lib.graphs.oversmoothing import dirichlet_energy, propagate_powers
from lib.graphs.planetoid import (
    DATASETS,
    Planetoid,
    RestrictedUnpickler,
    load_planetoid,
    restricted_loads,
    row_normalize,
)
from lib.graphs.reachability import (
    GraphBatch,
    OnGraphBatch,
    ReachabilityTask,
    accuracy_by_hops,
    hops_from,
    make_batch,
    random_forest,
)
from lib.graphs.reproduction import (
    GAT_MAX_EPOCHS,
    GAT_PATIENCE,
    GAT_SETUP,
    GCN_SETUP,
    LastWeights,
    run_gat,
    run_gcn,
    run_mlp,
)
from lib.graphs.sparse import SparseMatrix, dropout, matmul, row_pointers

__all__ = [
    "COURSE_EDGES",
    "COURSE_NODES",
    "DATASETS",
    "GAT",
    "GAT_MAX_EPOCHS",
    "GAT_PATIENCE",
    "GAT_SETUP",
    "GCN",
    "GCN_SETUP",
    "GGNN",
    "MLP",
    "NORMALIZATIONS",
    "UPDATES",
    "GATLayer",
    "GCNLayer",
    "GatedGraphLayer",
    "GraphBatch",
    "LastWeights",
    "NodeHistory",
    "OnGraphBatch",
    "PatienceStopping",
    "Planetoid",
    "ReachabilityTask",
    "RestrictedUnpickler",
    "SparseMatrix",
    "VanillaCell",
    "WindowStopping",
    "accuracy_by_hops",
    "add_self_loops",
    "attention_entropy",
    "check_edge_index",
    "check_inputs",
    "coalesce",
    "course_graph",
    "degree",
    "dense_adjacency",
    "dirichlet_energy",
    "disjoint_union",
    "draw_graph",
    "dropout",
    "edge_softmax",
    "evaluate",
    "from_networkx",
    "hops_from",
    "influence",
    "karate_club",
    "karate_split",
    "l2_penalty",
    "layout",
    "load_planetoid",
    "make_batch",
    "matmul",
    "normalized_adjacency",
    "normalized_edges",
    "propagate_powers",
    "random_forest",
    "receptive_field",
    "restricted_loads",
    "row_normalize",
    "row_pointers",
    "run_gat",
    "run_gcn",
    "run_mlp",
    "sparse_adjacency",
    "train_nodes",
]
