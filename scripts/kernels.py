"""Jupyter kernels that talk over Unix sockets, not TCP ports, where systems have them.

Over TCP, jupyter_client picks five free ports for a kernel, lets them go, and writes
them into the connection file; the kernel binds them a second or so later, once Python
has started. In between, any process on the machine may take one of them, for instance
as the source port of a connection it opens, and the kernel then dies with "Address
already in use" ("Kernel died before replying to kernel_info"). The book executes two
notebooks at a time, so that window opens on every start, and a CI run of ``make test``
once failed in it. A Unix socket is a file with a name of its own: two kernels cannot
collide on it.

``IPCKernelManager`` is jupyter_client's ``KernelManager`` with the IPC transport as its
default and socket files named ``<tmp>/jk-<random>-ipc-<n>``, which jupyter_client
removes when the kernel shuts down. jupyter_client has no Unix-socket transport on
Windows: there the class is plain TCP. The book's build hands it to nbclient
(``kernel_manager_class``), and ``pytest_configure`` below to nbval, for the tests that
execute every notebook (``notebooks/conftest.py`` imports it).
"""

from __future__ import annotations

import os
import tempfile
import uuid

from jupyter_client.manager import KernelManager
from traitlets import default

UNIX_SOCKETS = os.name == "posix"


class IPCKernelManager(KernelManager):
    """A ``KernelManager`` whose kernels listen on Unix sockets (TCP on Windows)."""

    @default("transport")
    def _default_transport(self) -> str:
        return "ipc" if UNIX_SOCKETS else "tcp"

    @default("ip")
    def _default_ip(self) -> str:
        if self.transport != "ipc":
            return super()._ip_default()
        # Short (a socket's path has about 100 bytes) and unique to this kernel
        return os.path.join(tempfile.gettempdir(), f"jk-{uuid.uuid4().hex[:12]}-ipc")


def pytest_configure(config) -> None:
    """Make nbval start its kernels with ``IPCKernelManager``."""
    import nbval.kernel

    nbval.kernel.KernelManager = IPCKernelManager
