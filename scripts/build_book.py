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
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def fingerprint(size: str) -> str:
    digest = hashlib.sha256(size.encode())
    files = sorted(ROOT.glob("lib/**/*.py")) + sorted(ROOT.glob("assets/static/**/*.*")) + [
        ROOT / "requirements.txt", ROOT / "pyproject.toml", ROOT / "assets" / "book_html.py"]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def invalidate_if_stale(stamp: Path, current: str) -> bool:
    """Clear the execution cache if lib/ & co. changed; True when every page must be rebuilt."""
    if stamp.is_file() and stamp.read_text() == current:
        return False
    cache = stamp.parent / ".jupyter_cache"
    if cache.exists():
        print(f"lib/, requirements, assets or BOOK_SIZE changed: clearing {cache}")
        shutil.rmtree(cache)
    stamp.unlink(missing_ok=True)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default=os.environ.get("BOOK_SIZE", "book"),
                        choices=["smoke", "book", "full"])
    parser.add_argument("--out", default=".", help="output root (the HTML goes to OUT/_build/html)")
    args = parser.parse_args()
    out = (ROOT / args.out).resolve()
    stamp, current = out / "_build" / ".lib-fingerprint", fingerprint(args.size)
    rebuild_all = invalidate_if_stale(stamp, current)
    env = dict(os.environ, BOOK_SIZE=args.size, TQDM_DISABLE="1", PYTHONHASHSEED="0")
    shared = ROOT.parent / "shared" / "data"
    if "BOOK_DATA_DIR" not in env and shared.is_dir():
        env["BOOK_DATA_DIR"] = str(shared)
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going"]
    cmd += ["--all"] if rebuild_all else []
    print(f"BOOK_SIZE={args.size}: {' '.join(cmd)}", flush=True)
    status = subprocess.call(cmd, env=env, cwd=ROOT)
    if status == 0:   # only a good build vouches for the cache
        stamp.write_text(current)
    return status


if __name__ == "__main__":
    sys.exit(main())
