"""Measure how long each notebook of the book takes at one experiment size, and record
it.

    python scripts/time_notebooks.py --size smoke [--device-label "2-core CPU"]

Executes every notebook listed in _toc.yml (in book order, fresh kernel each, as the
book build does) and writes the wall-clock seconds into book/timings.json under
<device label> -> <size> -> <notebook>, with the date and the machine. The page
"Reproducing this book" (book/reproducing.md) renders that file (the `timings-table`
directive of assets/book_html.py), so the times the book quotes are measurements made
by this script, never typed by hand.

    python scripts/time_notebooks.py --size book --from-cache _build/.jupyter_cache

reads the times instead from the execution cache of a finished book build
(scripts/build_book.py records each notebook's execution time there), for notebooks
whose cached copy matches the current source; the label then says they ran two at a
time, one core each.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

if __package__:  # imported as scripts.time_notebooks
    from .kernels import IPCKernelManager
    from .toc import notebooks_in_toc
else:  # run as `python scripts/time_notebooks.py`: scripts/ is sys.path[0]
    from kernels import IPCKernelManager
    from toc import notebooks_in_toc

ROOT = Path(__file__).resolve().parents[1]
TIMINGS = ROOT / "book" / "timings.json"


def toc_notebooks() -> list[str]:
    """The book's notebooks in reading order, named without suffix: notebooks/bptt."""
    return [
        path.relative_to(ROOT).with_suffix("").as_posix()
        for path in notebooks_in_toc(ROOT)
    ]


def run(name: str) -> float:
    nb = nbformat.read(ROOT / f"{name}.ipynb", as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=7200,
        kernel_name="python3",
        kernel_manager_class=IPCKernelManager,  # scripts/kernels.py: no TCP port race
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    ).execute()
    return time.perf_counter() - start


def cached_seconds(cache_path: str, names: list[str]) -> dict[str, float]:
    """Execution time of each notebook in a build's jupyter-cache (only if it matches
    the source)."""
    from jupyter_cache import get_cache

    cache, times = get_cache(cache_path), {}
    for name in names:
        try:
            record = cache.match_cache_notebook(
                nbformat.read(ROOT / f"{name}.ipynb", as_version=4)
            )
        except KeyError:
            sys.exit(
                f"{name}: no cached execution matches the current notebook; "
                "build the book first"
            )
        times[name] = float(record.data["execution_seconds"])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", required=True, choices=["smoke", "book", "full"])
    parser.add_argument("--device-label", default=f"{os.cpu_count()}-core CPU")
    parser.add_argument(
        "--only", nargs="*", help="notebook names (default: all in _toc.yml)"
    )
    parser.add_argument(
        "--from-cache",
        metavar="DIR",
        help="read the times from a build's jupyter-cache",
    )
    args = parser.parse_args()
    if args.from_cache and args.device_label == parser.get_default("device_label"):
        args.device_label += ", book build (2 notebooks at once, 1 core each)"
    os.environ.update(BOOK_SIZE=args.size, TQDM_DISABLE="1")
    record = json.loads(TIMINGS.read_text()) if TIMINGS.is_file() else {}
    device = record.setdefault(args.device_label, {})
    device["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    times = device.setdefault(args.size, {})
    names = args.only or toc_notebooks()
    cached = cached_seconds(args.from_cache, names) if args.from_cache else {}
    for name in names:
        times[name] = round(cached[name] if args.from_cache else run(name), 1)
        print(f"{args.size:>5}  {name:40s} {times[name]:8.1f} s", flush=True)
    device[f"{args.size} measured on"] = datetime.date.today().isoformat()
    TIMINGS.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    sys.exit(main())
