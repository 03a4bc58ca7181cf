"""The Planetoid loader: restricted unpickling, checksums, the standard split, PubMed
offline."""

import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from lib.download import ChecksumError, DataUnavailableError
from lib.graphs import planetoid
from lib.graphs.planetoid import (
    RestrictedUnpickler,
    load_planetoid,
    remote_file,
    restricted_loads,
)

DATA = os.environ.get("BOOK_DATA_DIR")
needs_data = pytest.mark.skipif(
    not (DATA and (Path(DATA) / "planetoid" / "ind.cora.x").is_file()),
    reason="PLANETOID TESTS SKIPPED: set BOOK_DATA_DIR to a folder with planetoid/ "
    "(../shared/data)",
)


class Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


@pytest.mark.parametrize(
    "payload",
    [
        pickle.dumps(Exploit(), protocol=2),
        pickle.dumps(eval, protocol=2),  # builtins.eval itself
        pickle.dumps(np.load, protocol=2),  # a numpy callable not needed
        pickle.dumps(sp.coo_matrix(np.eye(2)), protocol=2),  # a scipy type not needed
    ],
)
def test_anything_but_the_planetoid_types_is_refused(payload):
    with pytest.raises(pickle.UnpicklingError, match="refusing to unpickle"):
        restricted_loads(payload)


def test_the_allowed_names_are_exactly_what_the_files_need():
    modules = {module for module, _ in RestrictedUnpickler.ALLOWED}
    assert modules == {
        "numpy.core.multiarray",
        "numpy",
        "scipy.sparse.csr",
        "collections",
        "__builtin__",
        "builtins",
    }


def test_every_file_has_a_checksum_and_pubmed_allx_a_git_blob_id():
    for name in planetoid.DATASETS:
        for part in planetoid.PARTS:
            remote = remote_file(name, part)
            assert remote.sha256 or remote.git_blob_sha1
    allx = remote_file("pubmed", "allx")
    assert (
        allx.sha256 is None
        and allx.git_blob_sha1 == "3b86bccf08111c37c632a9dd8ab63db25ea76361"
    )
    with pytest.raises(ValueError, match="cora"):
        load_planetoid("reddit")


@needs_data
def test_cora_standard_split():
    data = load_planetoid("cora")
    assert data.summary() == {
        "dataset": "cora",
        "nodes": 2708,
        "edges": 5278,
        "features": 1433,
        "classes": 7,
        "train": 140,
        "val": 500,
        "test": 1000,
    }
    assert torch.equal(torch.bincount(data.y[data.train_idx]), torch.full((7,), 20))
    splits = torch.cat([data.train_idx, data.val_idx, data.test_idx])
    assert len(splits.unique()) == 1640  # disjoint
    rowsum = (data.X @ torch.ones(data.num_features, 1)).squeeze()
    assert torch.allclose(rowsum, torch.ones(2708))  # row-normalised
    i, j = data.edge_index
    assert (i != j).all() and torch.equal(
        torch.sort(i * 2708 + j).values, torch.sort(j * 2708 + i).values
    )  # symmetric


@needs_data
def test_citeseer_gap_nodes_are_isolated_and_unlabelled():
    data = load_planetoid("citeseer")
    assert (
        data.num_nodes == 3327 and data.num_classes == 6 and len(data.test_idx) == 1000
    )
    unlabelled = (data.y == -1).nonzero().squeeze(1)
    assert len(unlabelled) == 15
    assert not torch.isin(
        unlabelled, torch.cat([data.train_idx, data.val_idx, data.test_idx])
    ).any()
    assert (data.y[data.test_idx] >= 0).all()


@needs_data
def test_a_corrupt_file_is_refused(tmp_path):
    shutil.copytree(Path(DATA) / "planetoid", tmp_path / "planetoid")
    target = tmp_path / "planetoid" / "ind.cora.y"
    target.chmod(0o644)
    target.write_bytes(target.read_bytes()[:-1] + b"\0")
    with pytest.raises(ChecksumError, match=r"ind\.cora\.y"):
        load_planetoid("cora", data_dir=tmp_path)


@needs_data
def test_pubmed_without_its_feature_file_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(
        planetoid, "URL", "http://127.0.0.1:9/"
    )  # nothing listens there
    data_dir = tmp_path / "data"
    shutil.copytree(Path(DATA) / "planetoid", data_dir / "planetoid")
    (data_dir / "planetoid" / "ind.pubmed.allx").unlink(missing_ok=True)
    with pytest.raises(DataUnavailableError, match=r"ind\.pubmed\.allx"):
        load_planetoid("pubmed", data_dir=data_dir)
