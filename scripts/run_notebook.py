"""Execute one notebook with the Python running this script (no kernelspec needed).

    python scripts/run_notebook.py notebooks/bptt.ipynb

Used by the Colab install test, which runs it with the interpreter of a separate
environment. Exits non-zero, with the failing cell's traceback, when a cell fails.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def main(path: str) -> None:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    # ipykernel's own "python3" kernelspec runs sys.executable: the kernel is this
    # environment
    NotebookClient(
        nb,
        timeout=1800,
        kernel_name="python3",
        resources={"metadata": {"path": str(Path(path).parent)}},
    ).execute()
    print(
        f"{path}: executed in {time.perf_counter() - start:.1f} s with {sys.executable}"
    )


if __name__ == "__main__":
    main(sys.argv[1])
