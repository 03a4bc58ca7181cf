"""Checkpoints are written like data files (lib.download.atomic_write): whole, 0644."""

import os
import stat

import pytest
import torch

from lib.text.model import save_checkpoint


class Unsaveable:
    """Breaks torch.save halfway through a checkpoint."""

    def __reduce__(self):
        raise RuntimeError("cannot be pickled")


def files_in(folder):
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX permissions")
def test_checkpoint_is_readable_by_everyone(tmp_path):
    target = tmp_path / "run" / "final.pt"
    path = save_checkpoint({"format": 1, "x": torch.arange(3)}, target)
    assert path == target and stat.S_IMODE(path.stat().st_mode) == 0o644
    assert torch.equal(torch.load(path, weights_only=True)["x"], torch.arange(3))


def test_failing_save_keeps_the_old_checkpoint_and_leaves_no_temporary_file(tmp_path):
    path = save_checkpoint({"format": 1, "x": torch.arange(3)}, tmp_path / "final.pt")
    with pytest.raises(RuntimeError, match="cannot be pickled"):
        save_checkpoint({"format": 1, "x": torch.zeros(3), "bad": Unsaveable()}, path)
    assert files_in(tmp_path) == ["final.pt"]
    assert torch.equal(torch.load(path, weights_only=True)["x"], torch.arange(3))
