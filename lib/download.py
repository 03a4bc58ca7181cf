"""Data files: found locally, or downloaded once, verified, and written atomically.

Every data file the book uses is a :class:`RemoteFile`: a relative name
(``text/input.txt``, ``planetoid/ind.cora.x``), its public URL and its checksum.
:func:`fetch` returns a local path, looking in this order:

1. ``BOOK_DATA_DIR`` (environment variable) or the ``data_dir`` argument: a folder laid
   out like the names, e.g. ``../shared/data``; tests and CI use it, so nothing is
   downloaded there;
2. the cache, ``BOOK_CACHE_DIR`` or ``~/.cache/rnn-gnn-book``;
3. the URL: downloaded, checked, then written with :func:`atomic_write` (a temporary
   file next to its destination, renamed into place), so a half-downloaded or corrupt
   file is never used and never left behind.

A file whose checksum does not match is an error that names the file, both checksums and
what to do; it is never used.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, file_lock does nothing
    fcntl = None

DATA_DIR_VARIABLE = "BOOK_DATA_DIR"
CACHE_DIR_VARIABLE = "BOOK_CACHE_DIR"
FILE_MODE = 0o644  # rw-r--r--: readable by everyone, as a cache file should be


class ChecksumError(ValueError):
    """A file's bytes are not the ones published."""


class DataUnavailableError(RuntimeError):
    """A file is neither local nor downloadable (for example offline)."""


@dataclass(frozen=True)
class RemoteFile:
    """A published data file. ``git_blob_sha1`` stands in where no sha256 is known."""

    name: str
    url: str
    sha256: str | None = None
    git_blob_sha1: str | None = None

    def __post_init__(self):
        if not (self.sha256 or self.git_blob_sha1):
            raise ValueError(f"{self.name}: a RemoteFile needs a checksum")

    def verify(self, data: bytes, where: str) -> None:
        """Raise :class:`ChecksumError` unless ``data`` has the published checksum."""
        if self.sha256:
            kind, expected, actual = (
                "sha256",
                self.sha256,
                hashlib.sha256(data).hexdigest(),
            )
        else:
            blob = b"blob %d\0" % len(data) + data
            kind, expected, actual = (
                "git blob sha1",
                self.git_blob_sha1,
                hashlib.sha1(blob).hexdigest(),
            )
        if actual != expected:
            raise ChecksumError(
                f"{where}: {kind} mismatch for {self.name} ({len(data)} bytes): "
                f"expected {expected}, got {actual}. The file is corrupt or not the "
                f"published one; delete it and fetch it again from {self.url}"
            )


def cache_dir() -> Path:
    return Path(
        os.environ.get(CACHE_DIR_VARIABLE) or Path.home() / ".cache" / "rnn-gnn-book"
    )


def local_data_dir() -> Path | None:
    value = os.environ.get(DATA_DIR_VARIABLE)
    return Path(value) if value else None


def fetch(
    remote: RemoteFile,
    data_dir: str | Path | None = None,
    cache: str | Path | None = None,
    timeout: float = 60.0,
) -> Path:
    """The verified local path of ``remote`` (see the module docstring for the search
    order)."""
    data_dir = Path(data_dir) if data_dir is not None else local_data_dir()
    if data_dir is not None and (data_dir / remote.name).is_file():
        path = data_dir / remote.name
        remote.verify(path.read_bytes(), str(path))
        return path
    path = Path(cache) if cache is not None else cache_dir()
    path = path / remote.name
    if path.is_file():
        remote.verify(path.read_bytes(), str(path))
        return path
    return download(remote, path, timeout)


def download(remote: RemoteFile, path: Path, timeout: float = 60.0) -> Path:
    """Download ``remote`` to ``path`` atomically, verifying it before it appears
    there."""
    try:
        with urllib.request.urlopen(remote.url, timeout=timeout) as response:
            # raises IncompleteRead when fewer bytes than announced arrive
            data = response.read()
    except Exception as error:
        raise DataUnavailableError(
            f"could not download {remote.name} from {remote.url}: {error}. Offline? "
            f"Put the file under ${DATA_DIR_VARIABLE}/{remote.name} instead."
        ) from error
    remote.verify(data, remote.url)
    return atomic_write(path, lambda f: f.write(data))


def atomic_write(path: str | Path, write: Callable[[BinaryIO], object]) -> Path:
    """Write ``path`` completely or not at all; returns it.

    ``write(f)`` fills a temporary file opened ``"wb"`` next to ``path``; it is then
    flushed to disk (fsync), given mode 0644 (``FILE_MODE``) and renamed over ``path``
    in one step. A reader sees the old file or the new one, never half of it; on any
    error the temporary file is removed and ``path`` is left as it was.

    >>> atomic_write(folder / "model.pt", lambda f: torch.save(checkpoint, f))
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, FILE_MODE)  # mkstemp makes it private (0600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@contextmanager
def file_lock(path: str | Path):
    """Hold an exclusive lock on ``path`` (created if missing) while the block runs.

    Two processes that would compute the same cached file (two notebooks executed at
    once, both needing the same trained model) take turns: the second finds the first
    one's result.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)
