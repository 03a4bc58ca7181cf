"""Settings for every test session.

Unit tests never show progress bars and always run the smallest experiments:
``TQDM_DISABLE=1`` and ``BOOK_SIZE=smoke`` unless the environment says otherwise.

``BOOK_TEST_DEVICE=cuda`` (any device torch names: ``cpu``, ``cuda``, ``cuda:1``)
makes that device torch's default for the whole session
(``torch.set_default_device``): every tensor a test or ``lib`` creates without naming a
device is created there. scripts/gpu_check.sh runs the unit tests so on a GPU. A device
torch cannot use stops the session before any test runs, saying why. Without the
variable nothing changes.
"""

import os

import pytest

os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("BOOK_SIZE", "smoke")

DEVICE_VARIABLE = "BOOK_TEST_DEVICE"


def requested_device():
    """The ``torch.device`` that ``BOOK_TEST_DEVICE`` names, None when it is unset."""
    name = os.environ.get(DEVICE_VARIABLE, "").strip()
    if not name:
        return None
    import torch

    try:
        device = torch.device(name)
        torch.empty(1, device=device)  # cuda without a GPU, cuda:3 of one: refused here
    except Exception as err:  # RuntimeError, or AssertionError: no CUDA compiled in
        raise pytest.UsageError(
            f"{DEVICE_VARIABLE}={name!r}: torch cannot use this device "
            f"({' '.join(str(err).split())})"
        ) from None
    return device


def pytest_configure(config):
    device = requested_device()
    if device is not None:
        import torch

        torch.set_default_device(device)


def pytest_report_header(config):
    name = os.environ.get(DEVICE_VARIABLE, "").strip()
    return [f"torch's default device: {name} ({DEVICE_VARIABLE})"] if name else []


@pytest.fixture
def close_figures():
    """Close the pyplot figures a test makes (drawing tests use it for every test)."""
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    yield
    for number in set(plt.get_fignums()) - before:
        plt.close(number)
