"""lib.download against a real HTTP server on 127.0.0.1: good, truncated and corrupt
files."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from lib.download import (
    ChecksumError,
    DataUnavailableError,
    RemoteFile,
    atomic_write,
    fetch,
)
from tests.file_server import file_server

GOOD = b"Once upon a time\n" * 200
SHA = hashlib.sha256(GOOD).hexdigest()


@pytest.fixture(scope="module")
def server():
    with file_server(
        {"/good.txt": GOOD, "/corrupt.txt": GOOD[:-1] + b"X"}, truncated=GOOD
    ) as url:
        yield url


@pytest.fixture(autouse=True)
def no_local_data(monkeypatch):
    monkeypatch.delenv("BOOK_DATA_DIR", raising=False)


def leftovers(folder):
    return [p.name for p in folder.rglob("*") if p.is_file()]


def mode_of(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


posix_modes = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def test_good_file_is_downloaded_verified_and_cached(server, tmp_path):
    remote = RemoteFile("text/good.txt", f"{server}/good.txt", sha256=SHA)
    path = fetch(remote, cache=tmp_path)
    assert path == tmp_path / "text" / "good.txt" and path.read_bytes() == GOOD
    assert leftovers(tmp_path) == ["good.txt"]
    # second call: served from the cache, the server is not asked again
    gone = RemoteFile("text/good.txt", f"{server}/missing", sha256=SHA)
    assert fetch(gone, cache=tmp_path) == path


@posix_modes
def test_downloaded_file_is_readable_by_everyone(server, tmp_path):
    remote = RemoteFile("text/good.txt", f"{server}/good.txt", sha256=SHA)
    assert mode_of(fetch(remote, cache=tmp_path)) == 0o644  # not mkstemp's 0600


@posix_modes
def test_atomic_write_replaces_a_file_whole(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "f.bin").write_bytes(b"old")
    path = atomic_write(tmp_path / "sub" / "f.bin", lambda f: f.write(b"new"))
    assert path == tmp_path / "sub" / "f.bin" and path.read_bytes() == b"new"
    assert mode_of(path) == 0o644 and leftovers(tmp_path) == ["f.bin"]


def test_failing_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    (tmp_path / "f.bin").write_bytes(b"old")

    def half_then_fail(f):
        f.write(b"half of it")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(tmp_path / "f.bin", half_then_fail)
    assert (tmp_path / "f.bin").read_bytes() == b"old"
    assert leftovers(tmp_path) == ["f.bin"]
    with pytest.raises(OSError, match="disk full"):
        atomic_write(tmp_path / "new" / "g.bin", half_then_fail)
    assert leftovers(tmp_path) == ["f.bin"]


def test_truncated_download_is_an_error_and_leaves_nothing(server, tmp_path):
    remote = RemoteFile("text/t.txt", f"{server}/truncated.txt", sha256=SHA)
    with pytest.raises(DataUnavailableError, match=r"could not download text/t\.txt"):
        fetch(remote, cache=tmp_path)
    assert leftovers(tmp_path) == []


def test_wrong_checksum_is_an_error_and_leaves_nothing(server, tmp_path):
    remote = RemoteFile("text/c.txt", f"{server}/corrupt.txt", sha256=SHA)
    with pytest.raises(
        ChecksumError, match=f"sha256 mismatch for text/c.txt.*expected {SHA}"
    ):
        fetch(remote, cache=tmp_path)
    assert leftovers(tmp_path) == []


def test_corrupt_cached_file_is_refused(server, tmp_path):
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "good.txt").write_bytes(b"not it")
    with pytest.raises(ChecksumError, match="delete it"):
        fetch(
            RemoteFile("text/good.txt", f"{server}/good.txt", sha256=SHA),
            cache=tmp_path,
        )


def test_local_data_dir_is_used_instead_of_downloading(tmp_path, monkeypatch):
    (tmp_path / "data" / "text").mkdir(parents=True)
    (tmp_path / "data" / "text" / "good.txt").write_bytes(GOOD)
    monkeypatch.setenv("BOOK_DATA_DIR", str(tmp_path / "data"))
    remote = RemoteFile("text/good.txt", "http://127.0.0.1:9/unreachable", sha256=SHA)
    assert (
        fetch(remote, cache=tmp_path / "cache")
        == tmp_path / "data" / "text" / "good.txt"
    )


def test_unreachable_url_is_a_clear_error(tmp_path):
    remote = RemoteFile(
        "x/y.bin", "http://127.0.0.1:9/nothing-listens-here", sha256=SHA
    )
    with pytest.raises(DataUnavailableError, match="BOOK_DATA_DIR"):
        fetch(remote, cache=tmp_path, timeout=5)


def test_git_blob_checksum_when_no_sha256_is_known(server, tmp_path):
    blob = hashlib.sha1(b"blob %d\0" % len(GOOD) + GOOD).hexdigest()
    remote = RemoteFile("g.txt", f"{server}/good.txt", git_blob_sha1=blob)
    assert fetch(remote, cache=tmp_path).read_bytes() == GOOD
    with pytest.raises(ChecksumError, match="git blob sha1"):
        fetch(
            RemoteFile("h.txt", f"{server}/corrupt.txt", git_blob_sha1=blob),
            cache=tmp_path,
        )


def _hold_lock(lock, log, started):
    import time

    from lib.download import file_lock

    with file_lock(lock):
        started.set()
        with open(log, "a") as f:
            f.write("first-in\n")
        time.sleep(0.5)
        with open(log, "a") as f:
            f.write("first-out\n")


def test_file_lock_makes_processes_take_turns(tmp_path):
    import multiprocessing

    from lib.download import file_lock

    ctx = multiprocessing.get_context("spawn")
    started = ctx.Event()
    first = ctx.Process(
        target=_hold_lock, args=(tmp_path / "x.lock", tmp_path / "log", started)
    )
    first.start()
    assert started.wait(30)
    with file_lock(tmp_path / "x.lock"), open(tmp_path / "log", "a") as f:
        f.write("second\n")
    first.join(30)
    assert (tmp_path / "log").read_text().split() == ["first-in", "first-out", "second"]
