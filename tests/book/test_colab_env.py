"""Installing and running the Colab edition in an environment like Colab's.

The tests marked ``colab`` build a fresh virtual environment holding Colab's
preinstalled versions of the packages lib and the notebooks touch
(tests/book/colab_environment.txt, from Colab's published list; this machine's Python
and torch's CPU wheel stand in for Colab's), with a stand-in ``google.colab`` module
that every kernel imports when it starts (an IPython startup file), as Colab's kernels
have it imported. They take the Colab edition of three notebooks, converted by
scripts/colab_edition.py, and execute them there at smoke size, the first cell
included, as written: only its repository and commit are this checkout's. The
repository is a copy of the working tree (tracked files and untracked ones git does not
ignore) committed into a temporary git repository, so uncommitted work is what gets
installed, through the same ``git+`` URL form. Then they check that

* pip installed rnn-gnn-book and changed none of the preinstalled packages
  (``pip freeze --all`` before and after);
* every cell ran without an error output (IPython turns an exception raised while
  displaying an object into an error output and the cell still succeeds: running
  without an exception proves nothing);
* the live temperature lab, driven through its own API, and the progress bars show as
  widget views under Colab's ipywidgets 7.7.

``make unit`` runs them: 90 s on the book's 2-core machine with nothing else running
(29 s creating the environment, 58 s executing the notebooks, the install included: 4 s
in the first notebook, which adds rnn-gnn-book and nothing else), 150 to 160 s while
other work shared it; pip's cache is the only thing kept outside temporary folders.
The wheel checks at the end are quick and unmarked.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from scripts.colab_edition import BookIndex, colab_notebook, install_cell_source
from scripts.notebooks import ROOT

ENVIRONMENT = Path(__file__).with_name("colab_environment.txt")
NOTEBOOKS = ("bptt", "text_generation", "temperature_lab")  # executed in this order
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
NOT_ON_COLAB = "Not on Colab"

GOOGLE_COLAB_STUB = (
    '"""A stand-in for Colab\'s google.colab (tests/book/test_colab_env.py): the\n'
    'edition\'s install cell asks whether it is imported."""\n'
)
KERNEL_STARTUP = "import google.colab  # imported in every kernel, as on Colab\n"

# Run by the environment's own Python: execute a notebook, save it with its outputs.
EXECUTE_AND_SAVE = """
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

source, executed = Path(sys.argv[1]), Path(sys.argv[2])
nb = nbformat.read(source, as_version=4)
try:
    NotebookClient(
        nb,
        timeout=900,
        kernel_name="python3",
        resources={"metadata": {"path": str(source.parent)}},
    ).execute()
finally:
    nbformat.write(nb, executed)
"""


def run(*cmd, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(c) for c in cmd], check=True, capture_output=True, text=True, **kwargs
    )


def freeze(python: Path) -> list[str]:
    return sorted(run(python, "-m", "pip", "freeze", "--all").stdout.splitlines())


def pinned(name: str) -> str:
    """The requirement line for ``name`` in colab_environment.txt."""
    for line in ENVIRONMENT.read_text().splitlines():
        if line.lower().startswith(f"{name.lower()}=="):
            return line.strip()
    raise AssertionError(f"{ENVIRONMENT.name} pins no {name}")


def data_dir() -> str:
    """The offline data, as the Makefile and build_book.py find it."""
    shared = ROOT.parent / "shared" / "data"
    found = os.environ.get("BOOK_DATA_DIR") or (str(shared) if shared.is_dir() else "")
    if not found:
        pytest.fail("set BOOK_DATA_DIR: the notebooks read their data offline")
    return found


def commit_working_tree(repository: Path) -> str:
    """Copy this checkout's working tree into ``repository``, commit it there (a git
    repository of its own) and return the commit's hash."""
    listed = run(
        "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is left out
            (repository / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repository / name)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@localhost"]
    git += ["-c", "commit.gpgsign=false"]
    run(*git, "init", "--quiet", cwd=repository)
    run(*git, "add", "--all", cwd=repository)
    run(*git, "commit", "--quiet", "--message", "the working tree", cwd=repository)
    return run("git", "rev-parse", "HEAD", cwd=repository).stdout.strip()


def make_environment(tmp: Path) -> SimpleNamespace:
    """The Colab-like environment: pinned packages, the google.colab stand-in imported
    by every IPython kernel, Jupyter's and IPython's folders inside ``tmp``."""
    run(sys.executable, "-m", "venv", tmp / "env")
    python = tmp / "env" / "bin" / "python"
    # --no-compile: no .pyc for torch's thousands of files (half the install's time);
    # a kernel compiles what it imports
    install = [python, "-m", "pip", "install", "--quiet", "--no-compile"]
    run(*install, pinned("pip"))
    run(*install, "-r", ENVIRONMENT)
    purelib = run(
        python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    ).stdout.strip()
    stub = Path(purelib) / "google" / "colab" / "__init__.py"
    stub.parent.mkdir(parents=True)
    stub.write_text(GOOGLE_COLAB_STUB)
    startup = tmp / "ipython" / "profile_default" / "startup" / "00-colab.py"
    startup.parent.mkdir(parents=True)
    startup.write_text(KERNEL_STARTUP)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TQDM_DISABLE", "PYTHONPATH", "VIRTUAL_ENV")  # bars shown
    }
    env.update(
        BOOK_SIZE="smoke",
        BOOK_DATA_DIR=data_dir(),
        BOOK_CACHE_DIR=str(tmp / "book-cache"),  # the model text_generation trains
        IPYTHONDIR=str(tmp / "ipython"),
        JUPYTER_CONFIG_DIR=str(tmp / "jupyter" / "config"),
        JUPYTER_DATA_DIR=str(tmp / "jupyter" / "data"),
        JUPYTER_RUNTIME_DIR=str(tmp / "jupyter" / "runtime"),
        MPLCONFIGDIR=str(tmp / "matplotlib"),
        # one thread, as `make notebooks` runs them: on 2 busy cores torch's threads
        # wait on each other
        OMP_NUM_THREADS="1",
    )
    return SimpleNamespace(python=python, purelib=Path(purelib), env=env)


@pytest.fixture(scope="module")
def colab(tmp_path_factory) -> SimpleNamespace:
    """The environment, the three notebooks executed in it, and what was measured."""
    tmp = tmp_path_factory.mktemp("colab")
    start = time.perf_counter()
    env = make_environment(tmp)
    before = freeze(env.python)
    seconds = {"environment": time.perf_counter() - start}
    repository = tmp / "repository"
    commit = commit_working_tree(repository)
    url = repository.as_uri()
    index = BookIndex.from_sources(ROOT)
    executed, failures = {}, {}
    for name in NOTEBOOKS:
        docname = f"notebooks/{name}"
        nb = colab_notebook(
            nbformat.read(ROOT / f"{docname}.ipynb", as_version=4),
            docname,
            index,
            install_cell_source(url, commit),
        )
        source, result = tmp / f"{name}.ipynb", tmp / f"{name}.executed.ipynb"
        nbformat.write(nb, source)
        start = time.perf_counter()
        done = subprocess.run(
            [env.python, "-c", EXECUTE_AND_SAVE, source, result],
            env=env.env,
            cwd=tmp,  # not the checkout: lib must come from the install
            capture_output=True,
            text=True,
            timeout=900,
        )
        seconds[name] = time.perf_counter() - start
        if done.returncode != 0:
            failures[name] = done.stderr[-3000:]
        executed[name] = (
            nbformat.read(result, as_version=4) if result.is_file() else None
        )
    seconds["total"] = sum(seconds.values())
    print(f"\nColab-like environment, seconds: {seconds}")
    return SimpleNamespace(
        **vars(env),
        before=before,
        after=freeze(env.python),
        url=url,
        commit=commit,
        executed=executed,
        failures=failures,
        seconds=seconds,
        tmp=tmp,
    )


def outputs(cell) -> list:
    return cell.get("outputs", []) if cell.cell_type == "code" else []


def cell_with(nb, code: str):
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and code in c.source]
    return cell


def shown_text(cell) -> str:
    return "".join(
        out.get("text", "") or out.get("data", {}).get("text/plain", "")
        for out in outputs(cell)
    )


@pytest.mark.colab
def test_pip_changed_no_preinstalled_package(colab):
    installed = [line for line in colab.after if line.startswith("rnn-gnn-book")]
    assert installed == [f"rnn-gnn-book @ git+{colab.url}@{colab.commit}"]
    assert [line for line in colab.after if line not in installed] == colab.before


@pytest.mark.colab
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_notebook_runs_with_no_error_output(colab, name):
    assert name not in colab.failures, colab.failures.get(name)
    nb = colab.executed[name]
    errors = [
        f"cell {k}: {out.get('ename')}: {out.get('evalue')}"
        for k, cell in enumerate(nb.cells)
        for out in outputs(cell)
        if out.output_type == "error"
    ]
    assert not errors, errors
    tracebacks = [
        f"cell {k}: {out.text[-500:]}"
        for k, cell in enumerate(nb.cells)
        for out in outputs(cell)
        if out.output_type == "stream" and "Traceback" in out.text
    ]
    assert not tracebacks, tracebacks
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code"), (
        "every code cell ran"
    )


@pytest.mark.colab
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_install_cell_ran_as_written_on_colab(colab, name):
    first = colab.executed[name].cells[0]
    assert first.source == install_cell_source(colab.url, colab.commit)
    shown = shown_text(first)
    assert NOT_ON_COLAB not in shown, "google.colab was not imported in the kernel"
    assert "rnn-gnn-book" in shown, "pip's output is shown"
    if name == NOTEBOOKS[0]:
        assert "Successfully installed rnn-gnn-book" in shown, shown[-2000:]


@pytest.mark.colab
def test_lib_is_the_installed_one(colab):
    where = run(
        colab.python, "-c", "import lib; print(lib.__file__)", cwd=colab.tmp
    ).stdout.strip()
    assert Path(where).is_relative_to(colab.purelib), where


@pytest.mark.colab
def test_the_live_lab_is_a_widget_under_ipywidgets_7(colab):
    assert pinned("ipywidgets") in colab.after
    nb = colab.executed["temperature_lab"]
    shown = cell_with(nb, "templab.show_live(")
    views = [out for out in outputs(shown) if WIDGET_VIEW in out.get("data", {})]
    assert views, f"no widget view in {outputs(shown)}"
    driven = cell_with(nb, "lab.set(tau=0.5)")  # the lab's own API, with its asserts
    assert driven.execution_count and not outputs(driven)


@pytest.mark.colab
def test_the_progress_bars_are_widgets_under_ipywidgets_7(colab):
    training = cell_with(colab.executed["text_generation"], "train_or_load(")
    assert any(WIDGET_VIEW in out.get("data", {}) for out in outputs(training)), [
        out.get("output_type") for out in outputs(training)
    ]
    warnings = [
        out.text
        for out in outputs(training)
        if out.output_type == "stream" and re.search(r"Warning|IProgress", out.text)
    ]
    assert not warnings, warnings


# ------------------------------------------------------------------ the wheel itself
@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel pip builds from a clean copy of this checkout (Colab: a fresh clone).

    A copy: built in place, setuptools would reuse ./build, whose leftovers (a file
    since removed from lib/ or from the package data) would end up in the wheel.
    """
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    shutil.copytree(
        ROOT / "lib",
        source / "lib",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    for path in filter(Path.is_file, ROOT.iterdir()):  # pyproject.toml, README.md, ...
        shutil.copy2(path, source / path.name)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", tmp, source)
    (built,) = tmp.glob("rnn_gnn_book-*.whl")
    return built


def lib_source_files() -> set[str]:
    """Every file of lib/ in the checkout as a wheel path (no caches, hidden files)."""
    names = (
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "lib").rglob("*")
        if path.is_file()
    )
    return {name for name in names if "/__pycache__/" not in name and "/." not in name}


def test_the_wheel_holds_lib_only(wheel):
    tops = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"lib"}


def test_the_wheel_holds_every_file_of_lib(wheel):
    """Every subpackage (a folder with an __init__.py) and every data file lib reads."""
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    packages = sorted(
        init.parent.relative_to(ROOT).as_posix()
        for init in (ROOT / "lib").rglob("__init__.py")
    )
    assert {"lib", "lib/text/templab"} <= set(packages), packages
    missing = sorted(
        f"{package}/__init__.py"
        for package in packages
        if f"{package}/__init__.py" not in in_wheel
    )
    assert not missing, f"subpackages missing from the wheel: {missing}"
    assert "lib/text/templab/templab.js" in lib_source_files()
    missing = sorted(lib_source_files() - in_wheel)
    assert not missing, (
        f"{missing} are not in the wheel: list them in pyproject.toml "
        f"([tool.setuptools.package-data]) or move them out of lib/"
    )
