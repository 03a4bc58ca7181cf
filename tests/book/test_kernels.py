"""The kernels that execute the notebooks (scripts/kernels.py): Unix sockets, one set
per kernel, so two kernels started together cannot take each other's TCP ports."""

from __future__ import annotations

import glob
import os

import nbval.kernel
import pytest

from scripts import build_book
from scripts.kernels import IPCKernelManager

posix_only = pytest.mark.skipif(os.name != "posix", reason="TCP on Windows")


@posix_only
def test_each_kernel_manager_has_its_own_sockets():
    first, second = IPCKernelManager(), IPCKernelManager()
    assert (first.transport, second.transport) == ("ipc", "ipc")
    assert first.ip != second.ip, f"two kernels share socket files {first.ip}"
    assert len(first.ip) < 90, f"a socket's path has ~100 bytes; {first.ip!r}"


@posix_only
def test_a_kernel_runs_on_unix_sockets_and_leaves_no_socket_files():
    km = IPCKernelManager(kernel_name="python3")
    km.start_kernel()
    try:
        client = km.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive("x = 6 * 7", timeout=60)
        assert reply["content"]["status"] == "ok", reply["content"]
        assert glob.glob(km.ip + "-*"), f"no socket file {km.ip}-<n>"
        client.stop_channels()
    finally:
        km.shutdown_kernel(now=True)
    assert not glob.glob(km.ip + "-*"), "socket files left after shutdown"


def test_nbval_starts_its_kernels_with_it():
    """notebooks/conftest.py hands IPCKernelManager to nbval (pyproject's pythonpath
    makes scripts importable there)."""
    from notebooks import conftest  # what pytest loads for notebooks/

    original = nbval.kernel.KernelManager
    try:
        conftest.pytest_configure(None)
        assert nbval.kernel.KernelManager is IPCKernelManager
    finally:
        nbval.kernel.KernelManager = original


def test_a_kernel_that_dies_leaves_the_notebook_to_the_book_build(monkeypatch, capsys):
    """A kernel that dies at start-up fails its notebook, not the whole build: the
    notebook stays out of the cache and the book build executes it again, alone."""

    def dies(*args, **kwargs):
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr("jupyter_cache.executors.utils.single_nb_execution", dies)
    path = build_book.ROOT / "notebooks" / "bptt.ipynb"
    assert build_book.execute_notebook(path, timeout=60)[:2] == (path, None)
    assert "Kernel died" in capsys.readouterr().out
