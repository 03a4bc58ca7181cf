"""nbval starts these notebooks' kernels on Unix sockets: see scripts/kernels.py."""

from scripts.kernels import pytest_configure  # noqa: F401
