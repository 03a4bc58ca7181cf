"""Install `lib` the way Colab does, as far as an offline machine allows, and run a notebook.

Colab has torch and the scientific stack preinstalled, and the hidden first cell of every notebook
runs `pip install "rnn-gnn-book @ git+<repository URL>"`. We cannot reach the repository from
here, so we build the same wheel from this checkout, install it with --no-deps into a fresh
environment whose only other packages are "preinstalled" ones (this project's .venv, exposed
read-only through a .pth file, like Colab's system packages), check that nothing else got
installed and that `lib` is imported from that environment and not from the checkout, and
execute a notebook there at smoke size.
"""

from __future__ import annotations

import os
import site
import tomllib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from scripts.notebooks import ROOT

pytestmark = pytest.mark.colab
NOTEBOOK = "notebooks/bptt.ipynb"


def run(*cmd, **kwargs):
    return subprocess.run([str(c) for c in cmd], check=True, capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def colab_env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("colab")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", tmp / "wheel", ROOT)
    (wheel,) = (tmp / "wheel").glob("rnn_gnn_book-*.whl")
    run(sys.executable, "-m", "venv", tmp / "env")
    python = tmp / "env" / "bin" / "python"
    env_site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    (env_site / "preinstalled.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    before = {p.name for p in env_site.iterdir()}
    run(python, "-m", "pip", "install", "--no-deps", "--quiet", wheel)
    return wheel, python, env_site, {p.name for p in env_site.iterdir()} - before


def test_the_wheel_holds_lib_only(colab_env):
    wheel = colab_env[0]
    tops = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"lib"}


def test_installs_nothing_but_lib_and_keeps_torch(colab_env):
    _, python, env_site, installed = colab_env
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert installed == {"lib", f"rnn_gnn_book-{version}.dist-info"}
    where = run(python, "-c", "import lib, torch; print(lib.__file__); print(torch.__file__)",
                cwd=ROOT / "notebooks").stdout.split()
    assert Path(where[0]).is_relative_to(env_site), "lib must come from the installed wheel"
    assert not Path(where[1]).is_relative_to(env_site), "torch must be the preinstalled one"


def test_a_notebook_runs_in_the_colab_like_environment(colab_env):
    _, python, _, _ = colab_env
    env = dict(os.environ, BOOK_SIZE="smoke", TQDM_DISABLE="1")
    result = run(python, ROOT / "scripts" / "run_notebook.py", ROOT / NOTEBOOK, env=env, cwd="/")
    assert "executed in" in result.stdout
