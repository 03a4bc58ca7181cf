"""Install `lib` the way Colab does, as far as an offline machine allows, and run a
notebook.

Colab has torch and the scientific stack preinstalled, and the hidden first cell of
every notebook runs `pip install "rnn-gnn-book @ git+<repository URL>"`. We cannot reach
the repository from here, so we build the same wheel from this checkout, install it with
--no-deps into a fresh environment whose only other packages are "preinstalled" ones
(this project's .venv, exposed read-only through a .pth file, like Colab's system
packages), check that nothing else got installed and that `lib` is imported from that
environment and not from the checkout, and execute a notebook there at smoke size.

The wheel itself is checked first, and quickly (no environment, no marker): it must hold
every file of lib/, subpackages and package data included, which an editable install
would never miss.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from scripts.notebooks import ROOT

NOTEBOOK = "notebooks/bptt.ipynb"


def run(*cmd, **kwargs):
    return subprocess.run(
        [str(c) for c in cmd], check=True, capture_output=True, text=True, **kwargs
    )


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


@pytest.fixture(scope="module")
def colab_env(wheel, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("colab")
    run(sys.executable, "-m", "venv", tmp / "env")
    python = tmp / "env" / "bin" / "python"
    env_site = Path(
        run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        ).stdout.strip()
    )
    (env_site / "preinstalled.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    before = {p.name for p in env_site.iterdir()}
    run(python, "-m", "pip", "install", "--no-deps", "--quiet", wheel)
    return wheel, python, env_site, {p.name for p in env_site.iterdir()} - before


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


@pytest.mark.colab
def test_installs_nothing_but_lib_and_keeps_torch(colab_env):
    _, python, env_site, installed = colab_env
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert installed == {"lib", f"rnn_gnn_book-{version}.dist-info"}
    where = run(
        python,
        "-c",
        "import lib, torch; print(lib.__file__); print(torch.__file__)",
        cwd=ROOT / "notebooks",
    ).stdout.split()
    assert Path(where[0]).is_relative_to(env_site), (
        "lib must come from the installed wheel"
    )
    assert not Path(where[1]).is_relative_to(env_site), (
        "torch must be the preinstalled one"
    )


@pytest.mark.colab
def test_a_notebook_runs_in_the_colab_like_environment(colab_env):
    _, python, _, _ = colab_env
    env = dict(os.environ, BOOK_SIZE="smoke", TQDM_DISABLE="1")
    result = run(
        python, ROOT / "scripts" / "run_notebook.py", ROOT / NOTEBOOK, env=env, cwd="/"
    )
    assert "executed in" in result.stdout
