"""Build the book into <out>/_build/html, executing every notebook at one experiment
size.

    python scripts/build_book.py [--size smoke|book|full] [--out DIR] [--jobs N]
    python scripts/build_book.py --student [...]   # the student edition (make student)

``--student`` builds the student edition: the same book without the exercises'
solutions (sphinx-exercise's ``hide_solutions``), into <out>/_build/student/_build/html.
It shares the execution cache and the notebook fingerprints below with the book's own
build (<out>/_build), so once the book is built it executes nothing; otherwise it
executes what ``make book`` would, and the book's build then finds it done. The
edition's configuration is the book's _config.yml with those settings, its address
and its Colab edition's branch changed, written to <out>/_build/student/_config.yml
(:func:`student_config`). Its Colab edition (<out>/_build/student/_build/colab) links
to its own pages.

jupyter-cache keys a notebook's outputs on the notebook's own code cells only, and
Sphinx re-reads a page only when its own source changed. Neither sees an edit to lib/,
a different BOOK_SIZE or a change to the book's Sphinx extension, so this script keeps
two stamps in the _build folder:

* ``.notebook-fingerprints.json``, one fingerprint per notebook: BOOK_SIZE,
  BOOK_SEED_OFFSET and the hashes of requirements.txt, of pyproject.toml's
  ``[project]`` and ``[build-system]`` tables (what the install reads; the tools'
  settings below them run no notebook) and of every lib/ file the notebook imports,
  directly or through other lib modules (found by reading the imports with ``ast``; a
  package's data files, such as lib/text/templab/templab.js, belong to the package).
  Before anything is executed, each notebook whose fingerprint changed is dropped from
  the execution cache and so runs again; the others keep their outputs. An edit to
  lib/graphs/ executes the graph notebooks only.
* ``.lib-fingerprint``, written by the last good build: all the notebooks' fingerprints
  and the book's assets (assets/static, assets/book_html.py). Until a build with the
  current ones succeeds, every page is read again (``--all``), which executes nothing
  that is cached.

When in doubt (no stamp, an unreadable one, a notebook whose lib imports cannot be
followed) a notebook is executed again: a build never serves outputs computed by other
code or at another size.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import subprocess
import sys
import time
import tomllib
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress
from pathlib import Path

import yaml

from lib.runtime import SEED_OFFSET_VARIABLE, seed_offset

if __package__:  # imported as scripts.build_book (the tests)
    from .colab_edition import (
        DIRECTIVE_OPEN,
        EditionError,
        closing_fence,
        publish,
    )
    from .kernels import IPCKernelManager
    from .toc import notebooks_in_toc
else:  # run as `python scripts/build_book.py`: scripts/ is sys.path[0]
    from colab_edition import (
        DIRECTIVE_OPEN,
        EditionError,
        closing_fence,
        publish,
    )
    from kernels import IPCKernelManager
    from toc import notebooks_in_toc

ROOT = Path(__file__).resolve().parents[1]
GLOBAL_INPUTS = ("requirements.txt", "pyproject.toml")  # every notebook runs on them
INSTALL_TABLES = ("project", "build-system")  # the part of pyproject.toml pip reads
NOTEBOOK_STAMPS = ".notebook-fingerprints.json"
GOOD_BUILD_STAMP = ".lib-fingerprint"
STUDENT_FOLDER = "student"  # under _build: the student edition's own build
STUDENT_BRANCH_SUFFIX = "-student"  # its Colab edition's branch: colab-student
UNRESOLVED = "unresolved imports"  # the fingerprint of a notebook that always runs


# --- which lib files a notebook runs -----------------------------------------------


def module_file(root: Path, module: str) -> Path | None:
    """The file of ``module``: root/lib/a/b/__init__.py or root/lib/a/b.py, or None."""
    parts = module.split(".")
    if parts[0] != "lib":
        return None
    base = Path(root, *parts)
    for path in (base / "__init__.py", base.with_suffix(".py")):
        if path.is_file():
            return path
    return None


def module_package(root: Path, path: Path) -> str:
    """Where a lib file's relative imports start: lib/text/model.py -> lib.text."""
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1])  # lib/text/__init__.py -> lib.text too


def package_data(package: Path) -> set[Path]:
    """The files of a package folder that are not Python (lib/text/templab/templab.js),
    subpackages left out: lib reads them at run time, so they are the package's code."""
    data = set()
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = [
            name
            for name in subfolders
            if name != "__pycache__" and not Path(folder, name, "__init__.py").is_file()
        ]
        data.update(
            Path(folder, name) for name in files if not name.endswith((".py", ".pyc"))
        )
    return data


def absolute_module(node: ast.ImportFrom, package: str, where: str) -> str:
    """The module of ``from <module> import ...`` (relative: from ``package``)."""
    if node.level == 0:
        return node.module
    parts = package.split(".") if package else []
    if node.level > len(parts):
        dots = "." * node.level
        raise ValueError(
            f"{where}: from {dots}{node.module or ''} import ... reaches "
            f"above its package"
        )
    base = ".".join(parts[: len(parts) + 1 - node.level])  # level 1: the package itself
    return f"{base}.{node.module}" if node.module else base


def imported_modules(
    tree: ast.AST, package: str, where: str
) -> tuple[set[str], set[str]]:
    """(modules that must exist, names that may be modules) imported in ``tree``.

    ``import A.B`` needs A.B; ``from A import n`` needs A, and A.n when n is a submodule
    rather than a name defined in A. ``importlib.import_module("lib.x")`` imports lib.x;
    an import whose name is computed cannot be followed.
    """
    needed, maybe = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            needed.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = absolute_module(node, package, where)
            needed.add(module)
            maybe.update(
                f"{module}.{alias.name}" for alias in node.names if alias.name != "*"
            )
        elif isinstance(node, ast.Call) and is_dynamic_import(node.func):
            name = node.args[0] if node.args else None
            if not (
                isinstance(name, ast.Constant)
                and isinstance(name.value, str)
                and not name.value.startswith(".")
            ):
                raise ValueError(f"{where}: cannot follow {ast.unparse(node)}")
            needed.add(name.value)
    return needed, maybe


def is_dynamic_import(func: ast.expr) -> bool:
    """``__import__(...)``, ``import_module(...)``, ``importlib.import_module(...)``."""
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name in ("__import__", "import_module")


def parse_cell(source: str, where: str) -> ast.Module:
    """A code cell as Python; IPython syntax (%magic, !shell) becomes its calls."""
    try:
        return ast.parse(source)
    except SyntaxError:
        from IPython.core.inputtransformer2 import TransformerManager

        try:
            return ast.parse(TransformerManager().transform_cell(source))
        except SyntaxError as error:
            raise ValueError(
                f"{where}: a code cell is not Python ({error.msg}, line {error.lineno})"
            ) from None


def lib_files(root: Path, needed: set[str], maybe: set[str], where: str) -> set[Path]:
    """Every file of root/lib that importing these modules runs or reads.

    A module brings the __init__.py of every package above it (Python runs them first)
    and what it imports in turn; a package brings its data files (:func:`package_data`).
    """
    files: set[Path] = set()
    todo = [(name, True, where) for name in needed]
    todo += [(name, False, where) for name in maybe]
    while todo:
        name, must_exist, importer = todo.pop()
        if name != "lib" and not name.startswith("lib."):
            continue  # the standard library or a requirement (requirements.txt)
        path = module_file(root, name)
        if path is None and must_exist:
            raise ValueError(f"{importer} imports {name}: no such module in lib/")
        if path is None or path in files:
            continue
        files.add(path)
        if path.name == "__init__.py":
            files |= package_data(path.parent)
        packages = name.split(".")[:-1]
        todo += [
            (".".join(packages[:k]), False, importer)
            for k in range(1, len(packages) + 1)
        ]
        source = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_bytes(), filename=source)
        needs, maybes = imported_modules(tree, module_package(root, path), source)
        todo += [(module, True, source) for module in needs]
        todo += [(module, False, source) for module in maybes]
    return files


def notebook_dependencies(root: Path, notebook: Path) -> list[str]:
    """The lib files (paths relative to root, sorted) the notebook's code runs or reads.

    Raises ValueError when its imports cannot be followed (a computed import, a missing
    lib module, a cell that is not Python).
    """
    import nbformat

    where = notebook.relative_to(root).as_posix()
    cells = nbformat.read(notebook, as_version=4).cells
    statements = [
        statement
        for cell in cells
        if cell.cell_type == "code"
        for statement in parse_cell(cell.source, where).body
    ]
    needed, maybe = imported_modules(ast.Module(statements, type_ignores=[]), "", where)
    return sorted(
        path.relative_to(root).as_posix()
        for path in lib_files(root, needed, maybe, where)
    )


def notebook_fingerprint(root: Path, notebook: Path, size: str) -> dict[str, str]:
    """{"BOOK_SIZE": size, file: sha256 of its bytes, ...} for the global inputs and
    every lib file the notebook depends on; {UNRESOLVED: why} if those are unknown."""
    try:
        files = [*GLOBAL_INPUTS, *notebook_dependencies(root, notebook)]
    except (ValueError, SyntaxError) as error:  # SyntaxError: in a lib file
        return {UNRESOLVED: str(error)}
    hashes = {name: file_hash(root / name) for name in files}
    return {"BOOK_SIZE": size, SEED_OFFSET_VARIABLE: str(seed_offset()), **hashes}


def file_hash(path: Path) -> str:
    """sha256 of a file's bytes; of pyproject.toml, only of its install tables."""
    if path.name != "pyproject.toml":
        return hashlib.sha256(path.read_bytes()).hexdigest()
    tables = tomllib.loads(path.read_text())
    install = {name: tables.get(name) for name in INSTALL_TABLES}
    return hashlib.sha256(json.dumps(install, sort_keys=True).encode()).hexdigest()


def notebook_fingerprints(root: Path, size: str) -> dict[str, dict[str, str]]:
    """The fingerprint of every notebook of the book, by path relative to root."""
    return {
        notebook.relative_to(root).as_posix(): notebook_fingerprint(
            root, notebook, size
        )
        for notebook in notebooks_in_toc(root)
    }


# --- the stamps in the _build folder -----------------------------------------------


def why_stale(old: dict | None, new: dict[str, str]) -> str | None:
    """Why a notebook executed under fingerprint ``old`` must run again (or None)."""
    if UNRESOLVED in new:
        return f"its imports cannot be followed: {new[UNRESOLVED]}"
    if not isinstance(old, dict):
        return "new"
    if UNRESOLVED in old:
        return "its imports can be followed again"
    changed = sorted(
        key for key in old.keys() | new.keys() if old.get(key) != new.get(key)
    )
    if not changed:
        return None
    more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
    return f"{', '.join(changed[:3])}{more} changed"


def read_stamps(path: Path) -> dict:
    """The notebook fingerprints of the last build ({} when missing or unreadable)."""
    try:
        stamps = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamps if isinstance(stamps, dict) else {}


def same_notebook(uri: str, notebook: Path) -> bool:
    """Whether a cache record was made from this notebook, compared as
    notebooks/NAME.ipynb: the cache may have been filled from a checkout elsewhere."""
    return Path(uri).parts[-2:] == notebook.parts[-2:]


def drop_from_cache(cache_path: Path, notebooks: list[Path]) -> None:
    """Remove every execution of these notebooks from the jupyter-cache at cache_path:
    the record matching each one's current code and any other made from the same file
    (an older version, which would match again if the notebook were changed back)."""
    if not notebooks or not cache_path.is_dir():
        return
    import nbformat
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_path))
    doomed = set()
    for notebook in notebooks:
        with suppress(KeyError):
            current = nbformat.read(notebook, as_version=4)
            doomed.add(cache.match_cache_notebook(current).pk)
        doomed |= {
            record.pk
            for record in cache.list_cache_records()
            if same_notebook(record.uri, notebook)
        }
    for pk in sorted(doomed):
        try:
            cache.remove_cache(pk)
        except KeyError:  # a record without its notebook: trust nothing in this cache
            print(f"{cache_path}: record {pk} has no notebook; clearing the cache")
            cache.clear_cache()
            return


def invalidate_stale_notebooks(
    build: Path, root: Path, fingerprints: dict[str, dict]
) -> dict[str, str]:
    """Drop from build/.jupyter_cache each notebook whose fingerprint changed.

    Returns {notebook: why} for those. The new fingerprints are written once the cache
    holds no outputs of other code, so an interrupted build cannot leave a stamp that
    vouches for stale outputs.
    """
    stamps = build / NOTEBOOK_STAMPS
    old = read_stamps(stamps)
    stale = {
        name: why
        for name, new in fingerprints.items()
        if (why := why_stale(old.get(name), new)) is not None
    }
    drop_from_cache(build / ".jupyter_cache", [root / name for name in stale])
    build.mkdir(parents=True, exist_ok=True)
    partial = stamps.with_name(f"{stamps.name}.tmp")
    partial.write_text(
        json.dumps(fingerprints, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    partial.replace(stamps)
    return stale


def pages_fingerprint(root: Path, fingerprints: dict[str, dict]) -> str:
    """What the pages depend on besides their sources: the notebooks' fingerprints and
    the book's assets (its Sphinx extension and static files)."""
    digest = hashlib.sha256(json.dumps(fingerprints, sort_keys=True).encode())
    assets = sorted((root / "assets" / "static").rglob("*"))
    for path in filter(Path.is_file, [*assets, root / "assets" / "book_html.py"]):
        name = path.relative_to(root).as_posix()
        digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def pages_are_stale(build: Path, current: str) -> bool:
    """True until a build with the current pages fingerprint succeeds (it writes it)."""
    good_build = build / GOOD_BUILD_STAMP
    return not (good_build.is_file() and good_build.read_text() == current)


# --- executing and building ----------------------------------------------------


def execute_notebook(path: Path, timeout: int):
    """Execute one notebook exactly as myst-nb's cache mode does (cwd: the notebook's
    folder)."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    try:
        result = single_nb_execution(
            nb,
            cwd=str(path.parent),
            timeout=timeout,
            allow_errors=False,
            meta_override=True,
            kernel_manager_class=IPCKernelManager,
        )
    except Exception as error:  # the kernel died: the book build runs it again, alone
        name = path.relative_to(ROOT)
        print(f"  {name}: {type(error).__name__}: {error}", flush=True)
        return path, None, time.perf_counter() - start
    return path, (None if result.err else nb), result.time


def recorded_seconds(path: Path, size: str) -> float:
    """The notebook's time at this size in book/timings.json (inf when never measured).

    Starting the longest notebooks first keeps both workers busy to the end of the
    build.
    """
    timings = ROOT / "book" / "timings.json"
    record = json.loads(timings.read_text()) if timings.is_file() else {}
    name = str(path.relative_to(ROOT).with_suffix(""))
    times = [
        device[size][name] for device in record.values() if name in device.get(size, {})
    ]
    return max(times, default=float("inf"))


def execute_in_parallel(cache_path: Path, jobs: int) -> None:
    """Execute the notebooks missing from the execution cache, ``jobs`` at a time.

    The results go into the very jupyter-cache the book build reads, so the build then
    finds every notebook executed. A notebook that fails here (a cell, or its kernel) is
    left out of the cache: the build executes it again and reports the failure as usual.
    """
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(cache_path))
    todo = []
    for path in notebooks_in_toc(ROOT):
        try:
            cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            todo.append(path)
    todo.sort(
        key=lambda path: -recorded_seconds(path, os.environ.get("BOOK_SIZE", "book"))
    )
    timeout = yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]["timeout"]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for path, nb, seconds in pool.map(
            execute_notebook, todo, [timeout] * len(todo)
        ):
            status = "failed" if nb is None else "ok"
            print(
                f"  executed {path.relative_to(ROOT)} in {seconds:.0f} s: {status}",
                flush=True,
            )
            if nb is not None:
                cache.cache_notebook_bundle(
                    CacheBundleIn(nb, str(path), data={"execution_seconds": seconds}),
                    check_validity=False,
                    overwrite=True,
                )


# --- the jupyter-book command --------------------------------------------------------


def student_config(root: Path, build: Path) -> Path:
    """The student edition's _config.yml, written to build/student/_config.yml: the
    book's (root/_config.yml) with every solution left out, as its execution cache
    the book's own (build/.jupyter_cache), as its address the folder student/ of the
    book's (``html.baseurl``), where the workflow publishes it, and as its Colab
    edition's branch the book's with ``-student`` added (its notebooks link to the
    student edition's pages, which hold no solutions). jupyter-book
    reads the folders of local extensions relative to the configuration file, so they
    become absolute; the other paths are read relative to the source folder, root, and
    stay."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    cache = str(build / ".jupyter_cache")
    config["execute"] = {**(config.get("execute") or {}), "cache": cache}
    html = config.get("html") or {}
    if html.get("baseurl"):  # published in the folder student/ of the book's site
        baseurl = html["baseurl"].rstrip("/") + f"/{STUDENT_FOLDER}/"
        config["html"] = {**html, "baseurl": baseurl}
    buttons = config.get("launch_buttons") or {}
    if buttons.get("colab_branch"):  # its own Colab edition, linking to its pages
        branch = buttons["colab_branch"] + STUDENT_BRANCH_SUFFIX
        config["launch_buttons"] = {**buttons, "colab_branch": branch}
    sphinx = config.get("sphinx") or {}
    overrides = {**(sphinx.get("config") or {}), "hide_solutions": True}
    config["sphinx"] = {**sphinx, "config": overrides}
    if sphinx.get("local_extensions"):
        config["sphinx"]["local_extensions"] = {
            name: str((root / folder).resolve())
            for name, folder in sphinx["local_extensions"].items()
        }
    path = student_config_path(build)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Written by scripts/build_book.py --student from the book's _config.yml\n"
        + yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return path


def student_config_path(build: Path) -> Path:
    return build / STUDENT_FOLDER / "_config.yml"


def without_solutions(text: str, where: str) -> str:
    """MyST text with every ``{solution}`` block (from its opening fence to the fence
    closing it, found as the Colab edition finds them) left out."""
    lines, kept, k = text.splitlines(keepends=True), [], 0
    while k < len(lines):
        opening = DIRECTIVE_OPEN.match(lines[k])
        if not opening or opening["name"] != "solution":
            kept.append(lines[k])
            k += 1
            continue
        fence = opening["fence"]
        end = closing_fence(lines, k, fence)  # the last line when none closes it
        if end == k or lines[end].strip().strip(fence[0]):
            raise ValueError(
                f"{where}, line {k + 1}: a solution opened by {fence} is never closed"
            )
        k = end + 1
    return "".join(kept)


def student_downloads(html: Path) -> list[str]:
    """The student edition's download buttons: every page's source copy (html/_sources:
    Markdown, notebooks' Markdown cells) loses its solutions. (Each notebook page's
    .ipynb is already the student edition's Colab edition: :func:`publish`.) Returns
    the pages whose source lost a solution."""
    changed = []
    for path in sorted((html / "_sources").glob("**/*")):
        where = path.relative_to(html).as_posix()
        if path.suffix == ".md":
            text = path.read_text(encoding="utf-8")
            stripped = without_solutions(text, where)
            if stripped != text:
                path.write_text(stripped, encoding="utf-8")
                changed.append(where)
        elif path.suffix == ".ipynb":
            notebook, stripped = json.loads(path.read_text(encoding="utf-8")), False
            for cell in notebook["cells"]:
                if cell["cell_type"] == "markdown":
                    source = "".join(cell["source"])
                    kept = without_solutions(source, where)
                    if kept != source:
                        cell["source"], stripped = kept, True
            if stripped:
                path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
                changed.append(where)
    return changed


def output_folder(build: Path, student: bool) -> Path:
    """The _build folder the HTML goes to (its html/): the book's, or the student
    edition's build/student/_build."""
    return build / STUDENT_FOLDER / "_build" if student else build


def build_command(
    root: Path, build: Path, rebuild_all: bool, student: bool = False
) -> list[str]:
    """The jupyter-book command building the book in ``root`` into build/html (with
    ``student``: the student edition, into build/student/_build/html), warnings as
    errors."""
    jb = Path(sys.executable).with_name("jupyter-book")
    out = output_folder(build, student).parent  # jupyter-book adds the _build
    cmd = [str(jb), "build", str(root), "--path-output", str(out)]
    if student:
        cmd += ["--config", str(student_config(root, build))]
    cmd += ["-W", "-n", "--keep-going"]
    return cmd + (["--all"] if rebuild_all else [])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--size",
        default=os.environ.get("BOOK_SIZE", "book"),
        choices=["smoke", "book", "full"],
    )
    parser.add_argument(
        "--out", default=".", help="output root (the HTML goes to OUT/_build/html)"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="notebooks executed at once before the build (1: the build executes them)",
    )
    parser.add_argument(
        "--student",
        action="store_true",
        help="the student edition, without the solutions, into "
        "OUT/_build/student/_build/html (the book's execution cache is reused)",
    )
    args = parser.parse_args()
    build = (ROOT / args.out).resolve() / "_build"
    pages = output_folder(build, args.student)  # where the HTML and its stamp go
    fingerprints = notebook_fingerprints(ROOT, args.size)
    stale = invalidate_stale_notebooks(build, ROOT, fingerprints)
    for name, why in stale.items():
        print(f"to execute: {name} ({why})", flush=True)
    current = pages_fingerprint(ROOT, fingerprints)
    # a notebook executed again: its page must be read again
    rebuild_all = bool(stale) or pages_are_stale(pages, current)
    env = dict(os.environ, BOOK_SIZE=args.size, TQDM_DISABLE="1", PYTHONHASHSEED="0")
    shared = ROOT.parent / "shared" / "data"
    if "BOOK_DATA_DIR" not in env and shared.is_dir():
        env["BOOK_DATA_DIR"] = str(shared)
    if args.jobs > 1:
        saved = dict(os.environ)
        os.environ.update(env, OMP_NUM_THREADS="1")  # one core per notebook
        try:
            execute_in_parallel(build / ".jupyter_cache", args.jobs)
        finally:
            os.environ.clear()
            os.environ.update(saved)
    cmd = build_command(ROOT, build, rebuild_all, student=args.student)
    print(f"BOOK_SIZE={args.size}: {' '.join(cmd)}", flush=True)
    status = subprocess.call(cmd, env=env, cwd=ROOT)
    if status == 0:  # only a good build vouches for the pages Sphinx keeps
        (pages / GOOD_BUILD_STAMP).write_text(current)
        # the notebooks for Colab, also served as the pages' .ipynb download
        config = student_config_path(build) if args.student else None
        try:
            publish(ROOT, build, config, pages)  # scripts/colab_edition.py
        except EditionError as error:
            print(f"Colab edition: {error}", file=sys.stderr)
            status = 1
    if status == 0 and args.student:
        stripped = student_downloads(pages / "html")
        print(
            f"student edition: {pages / 'html' / 'index.html'} (solutions left out of "
            f"the downloadable sources of {len(stripped)} pages)",
            flush=True,
        )
    return status


if __name__ == "__main__":
    sys.exit(main())
