"""The Planetoid citation graphs Cora, CiteSeer and PubMed with their standard split
(the graph convolution and reproduction chapters).

The files are those of Yang et al. (2016), also used by Kipf & Welling (2017) and
Velickovic et al. (2018): for a dataset ``ds`` eight files ``ind.<ds>.<part>``

======================  ===========================================================
part                    content
======================  ===========================================================
``x``, ``y``            features (scipy CSR) and one-hot labels of the training nodes
``allx``, ``ally``      the same for every node that is not a test node
``tx``, ``ty``          the same for the test nodes
``graph``               {node: [neighbours]}, a ``collections.defaultdict`` of lists
``test.index``          the ids of the test nodes, one per line (plain text)
======================  ===========================================================

The standard split (Kipf & Welling's ``load_data``): the first ``len(y)`` nodes are the
training nodes (20 per class: 140 for Cora), the next 500 the validation nodes, and the
1000 nodes of ``test.index`` the test nodes. CiteSeer's test range has ids with no node
in ``tx``: they become isolated nodes with zero features and label -1 (in no split), as
in the reference code.

The ``.graph`` lists are made symmetric, duplicates removed and self-loops dropped
(CiteSeer and PubMed list a few): the models add exactly one self-loop per node
themselves (A~ = A + I).

The pickles are Python 2 pickles. They are read with :class:`RestrictedUnpickler`, which
admits only the five numpy/scipy/collections callables these files need; a pickle naming
anything else (``os.system``, ``builtins.eval``, ...) is refused before anything is
called.
"""

from __future__ import annotations

import collections
import io
import pickle
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import scipy.sparse as sp
import torch

from lib.download import RemoteFile, fetch
from lib.graphs.sparse import SparseMatrix

try:  # numpy >= 2 moved the module; importing numpy.core there is deprecated
    from numpy._core.multiarray import _reconstruct
except ImportError:  # pragma: no cover -- numpy 1.x
    from numpy.core.multiarray import _reconstruct

DATASETS = ("cora", "citeseer", "pubmed")
PARTS = ("x", "y", "tx", "ty", "allx", "ally", "graph", "test.index")
NUM_VALIDATION = 500
# kimiyoung/planetoid at a fixed commit (identical blobs in tkipf/gcn);
# see shared/data/SOURCES.md
URL = (
    "https://raw.githubusercontent.com/kimiyoung/planetoid/"
    "af6abf468a772cc055bec88c52e4d6f51b7c37e3/data/"
)
SHA256 = {
    "cora.x": "23cfa55d91c6f624233f5eb7b6e3f141f1bd2b2ae39608a63cf5d084bb27baab",
    "cora.y": "94465c14eb53e04ca262198dcbb2521ee8af60fb3f3d546cd6ca24a511b0e7d1",
    "cora.tx": "b9afbaa4a400df991f6f02ef677e1e44da55ffc04801fd02f9e673987829226a",
    "cora.ty": "41f5ac76596a1699cc33f53084a2419e92961c42bb75f36fc38e616d348532ad",
    "cora.allx": "9419ba2f26f5c35243db64aba110e0f35a04851609e0dc5433450676ca6b8543",
    "cora.ally": "2b998f5cc7fedc86e7f97ca2498f47a1ffc1462c29e2d578b23bf3f62b6e7d71",
    "cora.graph": "58f13302f39dde8852dad6fe6d15b89b077b6d7f837626bce671ef80344b383d",
    "cora.test.index": (
        "297ce89af2b51a6a194181c7dbe1796c6a1cf9cd9349a88383b1b1e227867875"
    ),
    "citeseer.x": "d20de19150741e555de0ed037195630fc194114ebc7fd72ced62810148aa22f6",
    "citeseer.y": "8ba87e515d8e3ee3cf52f6d2c5b86aa73f11ecad825a808455209ec26cd54924",
    "citeseer.tx": "539a8906a2da97628d212f2fdd668c109a8b3f0d36574b59e5d3fd5b5303da21",
    "citeseer.ty": "55e5bd1ba1e733a04598753ad1a8d57957f4b8f89e74519f41f4f4938767e4ce",
    "citeseer.allx": "2ac30345d95c9ec933a817ee0bdd6a5f077f8c184a20e696910192d534414668",
    "citeseer.ally": "f704b2d986dde6c2669934de1f3ae5696a6cf9455c0f6b2646a2d135ea0a1c95",
    "citeseer.graph": (
        "d79a4ef9d3e7169aee8946145f6b7306e35bc79bffad26346cfb94e10e9912a7"
    ),
    "citeseer.test.index": (
        "2af990671580b6b2df5d158d1038f8292e30c9cd821b5453f399659b25b723d4"
    ),
    "pubmed.x": "fbe9cb5c47200d1b7769a26e579be3b7130b556831f9d850e77c4c74f2599b33",
    "pubmed.y": "e6c807633307a07ed659249006536a147c7999c797f11a2560752990181b41b3",
    "pubmed.tx": "4eb5f5d0f30f26497eb0ac6ac9719d09c67e284f1ed0385c93f3ef27a671da3d",
    "pubmed.ty": "ee2e0d4819d9fbcc403689c3bf2e49face401b605932f093bc58ab6461130fdd",
    "pubmed.ally": "0c37bbe3b5014ec365e9d393cf4791925e5ed94fb194305d74f064a8d7b50f0e",
    "pubmed.graph": "5b89f0036ca22909471f1e6558eb42fa06e0c730a577bde5b058b40638f81dc9",
    "pubmed.test.index": (
        "b101d421688bbaecbd82e8a18f1e282378d6830f3a37666f28ebc47f844341b5"
    ),
}
# PubMed's feature file is larger than the snapshot the sha256 list was made from: only
# its git blob id (from the repository tree) is known, and lib.download verifies that
# instead.
GIT_BLOB_SHA1 = {"pubmed.allx": "3b86bccf08111c37c632a9dd8ab63db25ea76361"}


def remote_file(dataset: str, part: str) -> RemoteFile:
    """The published file ``ind.<dataset>.<part>`` with its checksum."""
    check_name(dataset)
    if part not in PARTS:
        raise ValueError(f"part={part!r}: expected one of {PARTS}")
    key, filename = f"{dataset}.{part}", f"ind.{dataset}.{part}"
    return RemoteFile(
        f"planetoid/{filename}",
        URL + filename,
        sha256=SHA256.get(key),
        git_blob_sha1=GIT_BLOB_SHA1.get(key),
    )


def check_name(dataset: str) -> None:
    if dataset not in DATASETS:
        raise ValueError(f"dataset={dataset!r}: expected one of {DATASETS}")


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickles the Planetoid files and nothing else.

    A pickle is a program: every global it names is looked up by ``find_class`` and may
    then be called. Only these five are ever returned; the Python 2 names are mapped by
    hand (the stock mapping would import the deprecated ``numpy.core`` and
    ``scipy.sparse.csr`` modules).
    """

    ALLOWED = MappingProxyType(
        {  # read-only: the list cannot grow at run time
            ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
            ("numpy", "ndarray"): np.ndarray,
            ("numpy", "dtype"): np.dtype,
            ("scipy.sparse.csr", "csr_matrix"): sp.csr_matrix,
            ("collections", "defaultdict"): collections.defaultdict,
            ("__builtin__", "list"): list,
            ("builtins", "list"): list,
        }
    )

    def find_class(self, module, name):
        try:
            return self.ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to unpickle {module}.{name}: a Planetoid file holds only "
                "numpy arrays, scipy CSR matrices and a defaultdict of lists"
            ) from None


def restricted_loads(data: bytes):
    """Load a (Python 2, latin-1) pickle with :class:`RestrictedUnpickler`."""
    return RestrictedUnpickler(io.BytesIO(data), encoding="latin1").load()


@dataclass
class Planetoid:
    """One citation graph. Shapes: X (N, F) a :class:`lib.graphs.sparse.SparseMatrix`
    (float32), y (N,) long in [0, C) or -1, edge_index (2, E) long (both directions, no
    self-loops), train/val/test_idx (n_split,) long.
    """

    name: str
    X: torch.Tensor
    y: torch.Tensor
    edge_index: torch.Tensor
    train_idx: torch.Tensor
    val_idx: torch.Tensor
    test_idx: torch.Tensor
    num_classes: int

    @property
    def num_nodes(self) -> int:
        return self.X.shape[0]

    @property
    def num_features(self) -> int:
        return self.X.shape[1]

    def to(self, device) -> Planetoid:
        moved = {
            k: getattr(self, k).to(device)
            for k in ("X", "y", "edge_index", "train_idx", "val_idx", "test_idx")
        }
        return Planetoid(self.name, num_classes=self.num_classes, **moved)

    def summary(self) -> dict:
        """Sizes as a dict (one table row): nodes, undirected edges, features, classes,
        splits."""
        return {
            "dataset": self.name,
            "nodes": self.num_nodes,
            "edges": self.edge_index.shape[1] // 2,
            "features": self.num_features,
            "classes": self.num_classes,
            "train": len(self.train_idx),
            "val": len(self.val_idx),
            "test": len(self.test_idx),
        }


def read_parts(dataset: str, data_dir: str | Path | None = None) -> dict:
    """Every part of ``dataset``, fetched and verified, unpickled (test.index: a list of
    ints).

    Raises lib.download.DataUnavailableError when a file is neither local nor
    downloadable.
    """
    check_name(dataset)
    parts = {}
    for part in PARTS:
        data = fetch(remote_file(dataset, part), data_dir=data_dir).read_bytes()
        parts[part] = (
            [int(line) for line in data.decode().split()]
            if part == "test.index"
            else restricted_loads(data)
        )
    return parts


def load_planetoid(
    dataset: str, data_dir: str | Path | None = None, normalize_features: bool = True
) -> Planetoid:
    """Cora, CiteSeer or PubMed with the standard split; features row-normalised by
    default."""
    parts = read_parts(dataset, data_dir)
    features, labels, test_idx = _assemble(parts)
    if normalize_features:
        features = row_normalize(features)
    y = torch.from_numpy(np.where(labels.sum(1) > 0, labels.argmax(1), -1)).long()
    num_train = parts["y"].shape[0]
    return Planetoid(
        name=dataset,
        X=SparseMatrix.from_scipy(features),
        y=y,
        edge_index=edges_from_dict(parts["graph"], features.shape[0]),
        train_idx=torch.arange(num_train),
        val_idx=torch.arange(num_train, num_train + NUM_VALIDATION),
        test_idx=torch.tensor(sorted(test_idx)),
        num_classes=labels.shape[1],
    )


def _assemble(parts: dict) -> tuple[sp.csr_matrix, np.ndarray, list[int]]:
    """Features and one-hot labels of every node in node order: allx/ally, then the test
    nodes.

    Row k of tx/ty belongs to node test.index[k] (the same placement as Kipf & Welling's
    ``load_data``); ids in the test range that no row names stay zero (CiteSeer's gap).
    """
    test_idx = parts["test.index"]
    tx, ty, num_known = parts["tx"], parts["ty"], parts["allx"].shape[0]
    if tx.shape[0] != len(test_idx) or ty.shape[0] != len(test_idx):
        raise ValueError(
            f"test.index lists {len(test_idx)} nodes but tx/ty hold "
            f"{tx.shape[0]}/{ty.shape[0]} rows: the files do not belong together"
        )
    if min(test_idx) < num_known or parts["ally"].shape[0] != num_known:
        raise ValueError(
            "test ids must follow the allx/ally nodes: the files do not belong together"
        )
    rows, k = np.array(test_idx) - num_known, len(test_idx)
    place = sp.csr_matrix((np.ones(k), (rows, np.arange(k))), shape=(rows.max() + 1, k))
    features = sp.vstack([parts["allx"], place @ tx]).tocsr()
    labels = np.vstack(
        [parts["ally"], np.zeros((rows.max() + 1, ty.shape[1]), ty.dtype)]
    )
    labels[num_known + rows] = ty
    return features, labels, test_idx


def row_normalize(features: sp.spmatrix) -> sp.csr_matrix:
    """Divide each row by its sum (rows summing to 0 stay 0), Kipf & Welling's
    preprocessing."""
    rowsum = np.asarray(features.sum(1)).ravel()
    inverse = np.divide(
        1.0, rowsum, out=np.zeros_like(rowsum, dtype=np.float64), where=rowsum != 0
    )
    return sp.diags(inverse) @ sp.csr_matrix(features, dtype=np.float64)


def edges_from_dict(graph: dict, num_nodes: int) -> torch.Tensor:
    """(2, E) edge list from {node: [neighbours]}: symmetric, no duplicates, no
    self-loops."""
    pairs = np.array(
        [(i, j) for i, nbrs in graph.items() for j in nbrs], dtype=np.int64
    ).T
    if pairs.size and (pairs.min() < 0 or pairs.max() >= num_nodes):
        raise ValueError(f"the graph names nodes outside [0, {num_nodes})")
    pairs = np.concatenate([pairs, pairs[::-1]], axis=1)
    pairs = pairs[:, pairs[0] != pairs[1]]
    return torch.from_numpy(np.unique(pairs, axis=1))
