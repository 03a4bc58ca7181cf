"""Build the book into <out>/_build/html, executing every notebook at one experiment size.

    python scripts/build_book.py [--size smoke|book|full] [--out DIR]

jupyter-cache keys a notebook's outputs on the notebook's own content only, and Sphinx re-reads a
page only when its own source changed. Neither sees an edit to lib/, a different BOOK_SIZE or a
change to the book's Sphinx extension, so this script fingerprints them (with the requirements)
and, whenever the fingerprint changes, empties the execution cache and rebuilds every page: a
build never serves outputs computed by other code or at another size.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def fingerprint(size: str) -> str:
    digest = hashlib.sha256(size.encode())
    files = sorted(ROOT.glob("lib/**/*.py")) + sorted(ROOT.glob("lib/**/*.js")) + sorted(
        ROOT.glob("assets/static/**/*.*")) + [
        ROOT / "requirements.txt", ROOT / "pyproject.toml", ROOT / "assets" / "book_html.py"]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def invalidate_if_stale(build: Path, current: str) -> bool:
    """Clear the execution cache if lib/ & co. changed since it was filled.

    Two stamps in ``build`` (the _build folder): ``.cache-fingerprint``, the code the execution
    cache was filled with (every notebook in it was executed by that code, so a failed build
    keeps the notebooks it did execute), and ``.lib-fingerprint``, written by the last good build.
    Returns True until a build with the current code succeeds: every page must then be read again.
    """
    cache_stamp = build / ".cache-fingerprint"
    if not (cache_stamp.is_file() and cache_stamp.read_text() == current):
        cache = build / ".jupyter_cache"
        if cache.exists():
            print(f"lib/, requirements, assets or BOOK_SIZE changed: clearing {cache}")
            shutil.rmtree(cache)
        build.mkdir(parents=True, exist_ok=True)
        cache_stamp.write_text(current)
    good_build = build / ".lib-fingerprint"
    return not (good_build.is_file() and good_build.read_text() == current)


def notebooks_in_toc() -> list[Path]:
    def walk(entries):
        for entry in entries:
            if entry.get("file", "").startswith("notebooks/"):
                yield ROOT / f"{entry['file']}.ipynb"
            for key in ("parts", "chapters", "sections"):
                yield from walk(entry.get(key, []))
    return list(walk([yaml.safe_load((ROOT / "_toc.yml").read_text())]))


def execute_notebook(path: Path, timeout: int):
    """Execute one notebook exactly as myst-nb's cache mode does (cwd: the notebook's folder)."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    nb = nbformat.read(path, as_version=4)
    result = single_nb_execution(nb, cwd=str(path.parent), timeout=timeout, allow_errors=False,
                                 meta_override=True)
    return path, (None if result.err else nb), result.time


def recorded_seconds(path: Path, size: str) -> float:
    """The notebook's time at this size in book/timings.json (inf when never measured).

    Starting the longest notebooks first keeps both workers busy to the end of the build.
    """
    timings = ROOT / "book" / "timings.json"
    record = json.loads(timings.read_text()) if timings.is_file() else {}
    name = str(path.relative_to(ROOT).with_suffix(""))
    times = [device[size][name] for device in record.values() if name in device.get(size, {})]
    return max(times, default=float("inf"))


def execute_in_parallel(cache_path: Path, jobs: int) -> None:
    """Execute the notebooks missing from the execution cache, ``jobs`` at a time.

    The results go into the very jupyter-cache the book build reads, so the build then finds
    every notebook executed. A notebook that fails here is left out of the cache: the build
    executes it again and reports the failing cell as usual.
    """
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(cache_path))
    todo = []
    for path in notebooks_in_toc():
        try:
            cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            todo.append(path)
    todo.sort(key=lambda path: -recorded_seconds(path, os.environ.get("BOOK_SIZE", "book")))
    timeout = yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]["timeout"]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for path, nb, seconds in pool.map(execute_notebook, todo, [timeout] * len(todo)):
            status = "failed" if nb is None else "ok"
            print(f"  executed {path.relative_to(ROOT)} in {seconds:.0f} s: {status}", flush=True)
            if nb is not None:
                cache.cache_notebook_bundle(CacheBundleIn(nb, str(path), data={"execution_seconds": seconds}),
                                            check_validity=False, overwrite=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default=os.environ.get("BOOK_SIZE", "book"),
                        choices=["smoke", "book", "full"])
    parser.add_argument("--out", default=".", help="output root (the HTML goes to OUT/_build/html)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="notebooks executed at once before the build (1: the build executes them)")
    args = parser.parse_args()
    out = (ROOT / args.out).resolve()
    current = fingerprint(args.size)
    rebuild_all = invalidate_if_stale(out / "_build", current)
    env = dict(os.environ, BOOK_SIZE=args.size, TQDM_DISABLE="1", PYTHONHASHSEED="0")
    shared = ROOT.parent / "shared" / "data"
    if "BOOK_DATA_DIR" not in env and shared.is_dir():
        env["BOOK_DATA_DIR"] = str(shared)
    if args.jobs > 1:
        saved = dict(os.environ)
        os.environ.update(env, OMP_NUM_THREADS="1")   # one core per notebook
        try:
            execute_in_parallel(out / "_build" / ".jupyter_cache", args.jobs)
        finally:
            os.environ.clear()
            os.environ.update(saved)
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going"]
    cmd += ["--all"] if rebuild_all else []
    print(f"BOOK_SIZE={args.size}: {' '.join(cmd)}", flush=True)
    status = subprocess.call(cmd, env=env, cwd=ROOT)
    if status == 0:   # only a good build vouches for the pages Sphinx keeps
        (out / "_build" / ".lib-fingerprint").write_text(current)
    return status


if __name__ == "__main__":
    sys.exit(main())
