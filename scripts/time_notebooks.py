"""Measure how long each notebook of the book takes at one experiment size, and record it.

    python scripts/time_notebooks.py --size smoke [--device-label "2-core CPU"]

Executes every notebook listed in _toc.yml (in book order, fresh kernel each, as the book build
does) and writes the wall-clock seconds into book/timings.json under
<device label> -> <size> -> <notebook>, with the date and the machine. The home page renders
that file (the `timings-table` directive of assets/book_html.py), so the times the book quotes
are measurements made by this script, never typed by hand.
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
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
TIMINGS = ROOT / "book" / "timings.json"


def toc_notebooks() -> list[str]:
    def walk(entries):
        for entry in entries:
            if entry.get("file", "").startswith("notebooks/"):
                yield entry["file"]
            for key in ("parts", "chapters", "sections"):
                yield from walk(entry.get(key, []))
    return list(walk([yaml.safe_load((ROOT / "_toc.yml").read_text())]))


def run(name: str) -> float:
    nb = nbformat.read(ROOT / f"{name}.ipynb", as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=7200, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", required=True, choices=["smoke", "book", "full"])
    parser.add_argument("--device-label", default=f"{os.cpu_count()}-core CPU")
    parser.add_argument("--only", nargs="*", help="notebook names (default: all in _toc.yml)")
    args = parser.parse_args()
    os.environ.update(BOOK_SIZE=args.size, TQDM_DISABLE="1")
    record = json.loads(TIMINGS.read_text()) if TIMINGS.is_file() else {}
    device = record.setdefault(args.device_label, {})
    device["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    times = device.setdefault(args.size, {})
    for name in args.only or toc_notebooks():
        times[name] = round(run(name), 1)
        print(f"{args.size:>5}  {name:40s} {times[name]:8.1f} s", flush=True)
    device[f"{args.size} measured on"] = datetime.date.today().isoformat()
    TIMINGS.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    sys.exit(main())
