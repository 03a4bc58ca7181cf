"""Check the book on a GPU machine: one prepared run, a time limit, one report.

    bash scripts/gpu_check.sh [OUT] [--steps device,unit,notebooks,charlm]
        [--notebooks bptt,gcn] [--size smoke|book|full] [--budget SECONDS] ...

The steps, in this order (``--steps`` picks some):

* ``device``: nvidia-smi, torch's version and device, a tensor computed on it, that
  ``lib`` imports, and which packages the other steps need are missing (a step whose
  packages are missing is not started).
* ``unit``: ``pytest tests -m "not browser and not site and not colab"`` (``--tests``
  names other paths) with ``BOOK_TEST_DEVICE=cuda``: torch's default device is the GPU
  for the whole session (tests/conftest.py).
* ``notebooks``: every notebook (or those ``--notebooks`` names) through nbval at
  ``--size`` (default ``book``), each in its own process with its own time limit,
  shortest first (book/timings.json).
* ``charlm``: chapter 4's character model, ``lib.text.chapter_run("shakespeare")``, at
  ``--charlm-size`` (default ``full``): its minutes and final validation loss.

Time. ``--budget`` (default 540 s) is shared by the steps chosen: each is given its
weight's share of the time left (unit 3, notebooks 4, charlm 3; device at most 60 s),
so time a step leaves unused passes to the next. Each notebook is given the share of its
step's time left in proportion to its time in book/timings.json, at least
``--min-notebook`` seconds, or ``--notebook-timeout`` seconds when that is given. A
process past its limit is interrupted (SIGINT to its process group, SIGKILL 10 s later)
and counts as failed ("timed out").

Report. OUT (the argument, else ``$OUT``, else ``_build/gpu-check``) receives
report.md, report.json and each step's output (device.log, unit.log, notebooks.log,
charlm.log): six files. The report is rewritten after every step, so a run stopped
from outside leaves what it had done. Notebooks and the character model train into a
private, temporary ``BOOK_CACHE_DIR`` (removed at the end): nothing is loaded from an
earlier run. Without CUDA the report says so and everything runs on the CPU (``make
gpu-check-smoke`` tests this script that way); ``--require-cuda`` makes that a failure.

Exit status: 0 when every step chosen passed, 1 when one failed, ran out of time or was
not started, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("device", "unit", "notebooks", "charlm")
SIZES = ("smoke", "book", "full")
WEIGHTS = {"unit": 3, "notebooks": 4, "charlm": 3}  # shares of the budget
DEVICE_LIMIT = 60.0  # seconds: nvidia-smi and one torch import
GRACE = 10.0  # seconds between SIGINT and SIGKILL
UNIT_MARKERS = "not browser and not site and not colab"
TIMINGS = ROOT / "book" / "timings.json"

# The modules each step needs besides torch and lib's own dependencies.
LIB_NEEDS = ("torch", "numpy", "scipy", "matplotlib", "networkx", "tqdm", "ipywidgets")
STEP_NEEDS = {
    "unit": ("pytest",),
    "notebooks": ("pytest", "nbval", "nbformat", "jupyter_client", "ipykernel"),
    "charlm": (),
}

PASSED, FAILED, TIMED_OUT = "passed", "failed", "timed out"
MISSING, NOT_RUN = "missing packages", "not run"


@dataclass
class Outcome:
    """How one step or one notebook went; ``tail`` holds its last lines unless it
    passed."""

    name: str
    status: str = NOT_RUN
    seconds: float = 0.0
    limit: float | None = None
    details: str = ""
    tail: str = ""


@dataclass
class Check:
    """Everything the report shows, filled in step by step."""

    options: argparse.Namespace
    out: Path
    started: float = field(default_factory=time.monotonic)
    when: str = field(
        default_factory=lambda: datetime.datetime.now(datetime.UTC).strftime(
            "%Y-%m-%d %H:%M UTC"
        )
    )
    steps: dict[str, Outcome] = field(default_factory=dict)
    notebooks: list[Outcome] = field(default_factory=list)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # timings.json
    commit: str = ""
    device: dict = field(default_factory=dict)
    nvidia_smi: str = ""
    charlm: dict = field(default_factory=dict)

    @property
    def deadline(self) -> float:
        return self.started + self.options.budget

    def left(self) -> float:
        """Seconds of the budget left, less the grace a stopped process may take."""
        return max(0.0, self.deadline - time.monotonic() - GRACE)

    @property
    def cuda(self) -> bool:
        return bool(self.device.get("cuda"))

    def failed(self) -> bool:
        return any(step.status != PASSED for step in self.steps.values())


# ---------------------------------------------------------------- running processes


def child_env(**settings: str | None) -> dict[str, str]:
    """This environment with ``lib`` importable (the repository on PYTHONPATH), no
    progress bars, unbuffered output and ``settings`` (None removes a variable)."""
    env = dict(os.environ, TQDM_DISABLE="1", PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
    )
    for name, value in settings.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run_limited(
    command: list[str], limit: float, log: Path, title: str, env: dict[str, str]
) -> tuple[str, float, str]:
    """Run ``command`` in the repository root for at most ``limit`` seconds, its output
    appended to ``log`` under ``title``: (status, seconds, the output).

    The command runs in a process group of its own; past the limit the whole group is
    interrupted (SIGINT: pytest stops and shuts its kernel down), and killed ``GRACE``
    seconds later.
    """
    with log.open("ab") as stream:
        stream.write(f"==== {title}\n$ {shlex.join(command)}\n".encode())
        stream.flush()
        start = stream.tell()
        begun = time.monotonic()
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stream,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        timed_out = not _wait(process, limit)
        seconds = time.monotonic() - begun
    output = log.read_bytes()[start:].decode(errors="replace")
    status = verdict(timed_out, process.returncode)
    note = f"limit {limit:.0f} s" if timed_out else f"exit {process.returncode}"
    with log.open("a") as stream:
        stream.write(f"==== {title}: {status} in {seconds:.1f} s ({note})\n\n")
    return status, seconds, output


def verdict(timed_out: bool, returncode: int) -> str:
    if timed_out:
        return TIMED_OUT
    return PASSED if returncode == 0 else FAILED


def _wait(process: subprocess.Popen, limit: float) -> bool:
    """Wait for ``process`` up to ``limit`` seconds: True if it ended by itself."""
    try:
        process.wait(timeout=max(limit, 0.1))
        return True
    except subprocess.TimeoutExpired:
        _stop(process)
        return False
    except BaseException:  # Ctrl-C: leave nothing running behind
        _stop(process)
        raise


def _stop(process: subprocess.Popen) -> None:
    for sig in (signal.SIGINT, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError):
            break
        try:
            process.wait(timeout=GRACE)
            break
        except subprocess.TimeoutExpired:
            continue
    process.wait()


def last_lines(text: str, count: int) -> str:
    return "\n".join(text.rstrip().splitlines()[-count:])


def pytest_summary(output: str) -> str:
    """The counts on pytest's last line ("12 passed, 1 failed" of "... in 3.1s"), else
    the last line it wrote."""
    lines = output.strip().splitlines()
    for line in reversed(lines):
        found = re.search(
            r"(\d+ (passed|failed|error|skipped|deselected)[^=]*) in ", line
        )
        if found:
            return found.group(1).strip()
    return lines[-1][:200] if lines else "no output"


def result_line(output: str, tag: str) -> dict:
    """The JSON a child process printed after ``tag``, {} when there is none."""
    for line in reversed(output.splitlines()):
        if line.startswith(tag + " "):
            return json.loads(line[len(tag) + 1 :])
    return {}


def python_child(function: str, *args: str) -> list[str]:
    """The command that calls ``function`` of this module in a fresh interpreter."""
    call = f"{function}({', '.join(map(repr, args))})"
    return [sys.executable, "-c", f"from scripts.gpu_check import {function}; {call}"]


# ---------------------------------------------------------------- the children


def device_child(modules: str) -> None:
    """Print (tagged JSON) torch's device, a tensor computed there, whether ``lib``
    imports and which of ``modules`` (comma-separated) are missing."""
    import importlib
    import importlib.util
    import platform

    names = modules.split(",")
    info = {"python": platform.python_version(), "cpu_cores": os.cpu_count()}
    info["missing"] = [name for name in names if importlib.util.find_spec(name) is None]
    data = os.environ.get("BOOK_DATA_DIR") or ""
    info["data_dir"] = data
    info["data_ok"] = bool(data) and (Path(data) / "text" / "input.txt").is_file()
    print("GPU_CHECK_DEVICE " + json.dumps(info), flush=True)  # in case torch fails
    import torch

    info["torch"] = torch.__version__
    info["torch_threads"] = torch.get_num_threads()
    info["cuda"] = torch.cuda.is_available()
    if info["cuda"]:
        properties = torch.cuda.get_device_properties(0)
        info["name"] = torch.cuda.get_device_name(0)
        info["count"] = torch.cuda.device_count()
        info["cuda_version"] = torch.version.cuda
        info["cudnn"] = torch.backends.cudnn.version()
        info["memory_gib"] = round(properties.total_memory / 2**30, 1)
        info["capability"] = ".".join(map(str, torch.cuda.get_device_capability(0)))
    device = "cuda" if info["cuda"] else "cpu"
    x = torch.arange(6.0, device=device).reshape(2, 3)  # (2, 3)
    info["tensor_ok"] = (x @ x.T).trace().item() == 55.0  # 0+1+4+9+16+25
    for wing in ("lib.recurrent", "lib.text", "lib.graphs"):
        importlib.import_module(wing)
    info["lib_imports"] = True
    print("GPU_CHECK_DEVICE " + json.dumps(info), flush=True)


def charlm_child() -> None:
    """Train (or load) chapter 4's model at the current BOOK_SIZE; print tagged JSON."""
    begun = time.monotonic()
    from lib.runtime import describe
    from lib.text import chapter_run

    print(describe(), flush=True)
    run = chapter_run("shakespeare")
    history = run.history
    result = {
        "wall_seconds": time.monotonic() - begun,  # with imports, data and evaluations
        "minutes": run.minutes,  # training, as the run measured it
        "steps": history.step[-1],
        "valid_loss": history.valid_loss[-1],
        "valid_accuracy": history.valid_accuracy[-1],
        "train_loss": history.train_loss[-1],
        "num_hiddens": run.model.config.num_hiddens,
        "parameters": sum(p.numel() for p in run.model.parameters()),
        "device": str(next(run.model.parameters()).device),
        "machine": run.machine,
        "from_cache": run.from_cache,
    }
    print("GPU_CHECK_CHARLM " + json.dumps(result), flush=True)


def progress_child(folder: str) -> None:
    """Print (tagged JSON) how far a stopped run got: its latest checkpoint's last
    evaluation."""
    from lib.text.model import read_checkpoint

    written = sorted(Path(folder).glob("checkpoints/*/*.pt"), key=os.path.getmtime)
    if not written:
        return
    checkpoint = read_checkpoint(written[-1])
    history = checkpoint["history"]
    progress = {
        "checkpoint": written[-1].name,
        "step": history["step"][-1],
        "of_steps": checkpoint["train_config"]["steps"],
        "seconds": history["seconds"][-1],
        "valid_loss": history["valid_loss"][-1],
    }
    print("GPU_CHECK_PROGRESS " + json.dumps(progress), flush=True)


# ---------------------------------------------------------------- the steps


def step_device(check: Check) -> Outcome:
    log = check.out / "device.log"
    smi = shutil.which("nvidia-smi")
    if smi:
        status, _, output = run_limited([smi], 20, log, "nvidia-smi", child_env())
        check.nvidia_smi = output.strip() if status == PASSED else f"{status}: {output}"
    else:
        check.nvidia_smi = "nvidia-smi: not found"
    modules = sorted({*LIB_NEEDS, *(m for s in STEP_NEEDS.values() for m in s)})
    command = python_child("device_child", ",".join(modules))
    limit = min(DEVICE_LIMIT, check.left())
    status, seconds, output = run_limited(command, limit, log, "torch", child_env())
    check.device = result_line(output, "GPU_CHECK_DEVICE")
    outcome = Outcome("device", status, seconds, limit, device_details(check))
    no_cuda = "torch" in check.device and not check.cuda
    if status == PASSED and not check.device.get("tensor_ok"):
        outcome.status = FAILED
    if no_cuda and check.options.require_cuda:
        outcome.status = FAILED
        outcome.details += " (--require-cuda)"
    if outcome.status != PASSED:
        outcome.tail = last_lines(output, check.options.tail)
    return outcome


def device_details(check: Check) -> str:
    info, parts = check.device, []
    if info.get("missing"):
        parts.append(f"missing: {', '.join(info['missing'])}")
    if check.cuda:
        parts.append(
            f"{info['name']}, torch {info['torch']}, CUDA {info['cuda_version']}"
        )
    elif "torch" in info:
        parts.append(f"no CUDA: the CPU, torch {info['torch']}")
    else:
        parts.append("torch did not import")
    return "; ".join(parts)


def missing_for(check: Check, step: str) -> list[str]:
    """The packages ``step`` needs that the device step found missing."""
    missing = check.device.get("missing", [])
    return [name for name in (*LIB_NEEDS, *STEP_NEEDS[step]) if name in missing]


def unit_device(check: Check) -> str:
    """cuda where the device step saw it (or, without that step, torch says so)."""
    if "cuda" in check.device:
        return "cuda" if check.cuda else "cpu"
    return "cuda" if shutil.which("nvidia-smi") else "cpu"


def step_unit(check: Check, limit: float) -> Outcome:
    device = unit_device(check)
    paths = check.options.tests.split(",")
    command = [sys.executable, "-m", "pytest", *paths, "-m", UNIT_MARKERS, "-q"]
    # a test file that needs a missing package is one error, not the end of the run
    command.append("--continue-on-collection-errors")
    env = child_env(BOOK_TEST_DEVICE=device, BOOK_SIZE=None)  # conftest: smoke
    log = check.out / "unit.log"
    status, seconds, output = run_limited(command, limit, log, "unit", env)
    outcome = Outcome("unit", status, seconds, limit)
    outcome.details = f"on {device}: {pytest_summary(output)}"
    if status != PASSED:
        outcome.tail = last_lines(output, check.options.tail)
    return outcome


def cpu_seconds(check: Check, name: str) -> float:
    """The notebook's time on the book's CPU (book/timings.json; 60 s if not there)."""
    return check.cpu_seconds.get(name, 60.0)


def notebook_limit(check: Check, still: list[str], left: float) -> float:
    """The limit of ``still[0]``, the next of the notebooks still to run: the fixed
    ``--notebook-timeout``, else its share of the ``left`` seconds in proportion to its
    CPU time, at least ``--min-notebook``; never more than ``left``."""
    if check.options.notebook_timeout:
        return min(left, check.options.notebook_timeout)
    share = left * cpu_seconds(check, still[0])
    share /= sum(cpu_seconds(check, name) for name in still)
    return min(left, max(check.options.min_notebook, share))


def step_notebooks(check: Check, limit: float) -> Outcome:
    size = check.options.size
    cache = Path(check.options.cache) / "notebooks"
    env = child_env(BOOK_SIZE=size, BOOK_CACHE_DIR=str(cache))
    log = check.out / "notebooks.log"
    deadline = time.monotonic() + limit
    names = list(dict.fromkeys(check.options.notebook_names))  # each once
    names.sort(key=lambda name: cpu_seconds(check, name))  # shortest first
    check.notebooks = [Outcome(name) for name in names]
    for index, outcome in enumerate(check.notebooks):
        left = deadline - time.monotonic() - GRACE
        if left < 1:
            break
        outcome.limit = notebook_limit(check, names[index:], left)
        path = f"notebooks/{outcome.name}.ipynb"
        command = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env"]
        command += ["-p", "no:cacheprovider", "-q", path]
        status, seconds, output = run_limited(command, outcome.limit, log, path, env)
        outcome.status, outcome.seconds = status, seconds
        if status != PASSED:
            outcome.tail = last_lines(output, check.options.tail)
        write_report(check)
    return notebooks_outcome(check, limit)


def notebooks_outcome(check: Check, limit: float) -> Outcome:
    passed = [nb for nb in check.notebooks if nb.status == PASSED]
    others = [
        f"{nb.name} ({nb.status})" for nb in check.notebooks if nb.status != PASSED
    ]
    outcome = Outcome("notebooks", PASSED if not others else FAILED, limit=limit)
    outcome.seconds = sum(nb.seconds for nb in check.notebooks)
    outcome.details = (
        f"{len(passed)} of {len(check.notebooks)} passed at {check.options.size} size"
    )
    if others:
        outcome.details += "; not passed: " + ", ".join(others)
    return outcome


def step_charlm(check: Check, limit: float) -> Outcome:
    size = check.options.charlm_size
    cache = Path(check.options.cache) / "charlm"
    env = child_env(BOOK_SIZE=size, BOOK_CACHE_DIR=str(cache))
    log = check.out / "charlm.log"
    status, seconds, output = run_limited(
        python_child("charlm_child"), limit, log, f"charlm at {size} size", env
    )
    check.charlm = result_line(output, "GPU_CHECK_CHARLM")
    outcome = Outcome("charlm", status, seconds, limit)
    if check.charlm:
        outcome.details = (
            f"{size} size, {check.charlm['steps']} steps in "
            f"{check.charlm['minutes']:.2f} min on {check.charlm['device']}, "
            f"validation loss {check.charlm['valid_loss']:.4f}"
        )
    else:
        outcome.tail = last_lines(output, check.options.tail)
        outcome.details = f"{size} size; " + charlm_progress(check, cache, log)
    return outcome


def charlm_progress(check: Check, cache: Path, log: Path) -> str:
    """How far a stopped training run got, from its latest checkpoint."""
    command = python_child("progress_child", str(cache))
    _, _, output = run_limited(command, 60, log, "progress", child_env())
    progress = result_line(output, "GPU_CHECK_PROGRESS")
    check.charlm["progress"] = progress
    if not progress:
        return "no checkpoint written"
    return (
        f"reached step {progress['step']} of {progress['of_steps']} "
        f"({progress['checkpoint']}) in {progress['seconds'] / 60:.2f} min, "
        f"validation loss {progress['valid_loss']:.4f}"
    )


# ---------------------------------------------------------------- the report


def markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return lines


def seconds_text(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def report_text(check: Check) -> str:
    """The report, in Markdown."""
    took = time.monotonic() - check.started
    lines = [
        "# GPU check",
        "",
        f"- when: {check.when}; took {took:.0f} s of a budget of "
        f"{check.options.budget:.0f} s",
        f"- command: `{check.options.command}`",
        f"- commit: {check.commit}",
        f"- machine: {machine_line(check)}",
        "",
    ]
    rows = [
        [s.name, s.status, seconds_text(s.seconds), seconds_text(s.limit), s.details]
        for s in check.steps.values()
    ]
    lines += markdown_table(["step", "status", "s", "limit (s)", "details"], rows)
    lines += device_section(check) + notebook_section(check) + charlm_section(check)
    lines += failure_section(check)
    return "\n".join(lines) + "\n"


def machine_line(check: Check) -> str:
    info = check.device
    if "torch" not in info:
        return "not examined" if not info else "torch did not import"
    cpu = f"{info['cpu_cores']} CPU cores, torch {info['torch']}"
    if not check.cuda:
        return f"no CUDA: every step ran on the CPU ({cpu})"
    return (
        f"{info['name']} ({info['memory_gib']} GiB, compute capability "
        f"{info['capability']}), CUDA {info['cuda_version']}, cuDNN {info['cudnn']}; "
        f"{cpu}"
    )


def device_section(check: Check) -> list[str]:
    if "device" not in check.steps:
        return []
    info = dict(check.device)
    data, data_ok = info.pop("data_dir", ""), info.pop("data_ok", False)
    lines = ["", "## Device", "", "```text", check.nvidia_smi, "```", ""]
    info["missing"] = ", ".join(info.get("missing", [])) or "none"
    lines += [f"- {key}: {value}" for key, value in info.items()]
    lines.append(
        f"- BOOK_DATA_DIR: {data or 'unset (lib downloads the data)'}"
        + ("" if not data or data_ok else " (no text/input.txt there)")
    )
    return lines


def notebook_section(check: Check) -> list[str]:
    if not check.notebooks:
        return []
    rows = [
        [
            nb.name,
            nb.status,
            seconds_text(nb.seconds) if nb.status != NOT_RUN else "",
            seconds_text(nb.limit),
            seconds_text(check.cpu_seconds.get(nb.name)),
        ]
        for nb in check.notebooks
    ]
    header = ["notebook", "status", "s", "limit (s)", "2-core CPU (s)"]
    title = f"## Notebooks at {check.options.size} size"
    note = (
        "The last column is the notebook's time on the book's 2-core CPU at "
        f"{'smoke' if check.options.size == 'smoke' else 'book'} size "
        "(book/timings.json)."
    )
    return ["", title, "", note, "", *markdown_table(header, rows)]


def charlm_section(check: Check) -> list[str]:
    """The trained run's numbers, or how far a stopped run got."""
    stopped = "progress" in check.charlm
    values = check.charlm.get("progress", {}) if stopped else check.charlm
    if not values:
        return []
    title = f"## Character model at {check.options.charlm_size} size"
    note = ["Stopped before the end; its latest checkpoint:", ""] if stopped else []
    rows = [[key, value_text(value)] for key, value in values.items()]
    return ["", title, "", *note, *markdown_table(["", "value"], rows)]


def value_text(value) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def failure_section(check: Check) -> list[str]:
    failed = [s for s in (*check.steps.values(), *check.notebooks) if s.tail]
    lines = ["", "## What failed: the last lines of each"] if failed else []
    for outcome in failed:
        lines += ["", f"### {outcome.name}: {outcome.status}", "", "```text"]
        lines += [outcome.tail.replace("```", "'''"), "```"]
    return lines


def git_commit() -> str:
    """The commit checked, and whether the working tree differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return head + (" with uncommitted changes" if dirty else "")


def write_report(check: Check) -> None:
    (check.out / "report.md").write_text(report_text(check))
    data = {
        "steps": [asdict(s) for s in check.steps.values()],
        "notebooks": [asdict(nb) for nb in check.notebooks],
        "device": check.device,
        "charlm": check.charlm,
        "failed": check.failed(),
    }
    (check.out / "report.json").write_text(json.dumps(data, indent=1) + "\n")


# ---------------------------------------------------------------- the command line


def notebook_seconds(size: str) -> dict[str, float]:
    """Each notebook's seconds on the book's CPU at ``size`` (``full``: at ``book``)."""
    key = "smoke" if size == "smoke" else "book"
    try:
        timings = json.loads(TIMINGS.read_text())
    except (OSError, ValueError):
        return {}
    for label in timings.values():
        if isinstance(label, dict) and key in label:
            return {Path(n).name: float(s) for n, s in label[key].items()}
    return {}


def parse_list(text: str, allowed: list[str], what: str) -> list[str]:
    names = [name.strip().removesuffix(".ipynb") for name in text.split(",")]
    unknown = [name for name in names if name not in allowed]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown {what} {', '.join(unknown) or '(none given)'}; "
            f"expected some of: {', '.join(allowed)}"
        )
    return names


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/gpu_check.sh",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    parser.add_argument(
        "out", nargs="?", help="report folder (default: $OUT, else _build/gpu-check)"
    )
    parser.add_argument(
        "--steps",
        default=",".join(STEPS),
        metavar="LIST",
        type=lambda text: parse_list(text, list(STEPS), "step"),
        help=f"comma-separated; they run in the order {','.join(STEPS)} (all)",
    )
    parser.add_argument(
        "--notebooks",
        dest="notebook_names",
        default=",".join(notebooks),
        metavar="LIST",
        type=lambda text: parse_list(text, notebooks, "notebook"),
        help="comma-separated names in notebooks/ (default: every notebook)",
    )
    parser.add_argument(
        "--size", choices=SIZES, default="book", help="of the notebooks (book)"
    )
    parser.add_argument(
        "--charlm-size",
        choices=SIZES,
        default="full",
        help="of the character model (full)",
    )
    parser.add_argument(
        "--tests",
        default="tests",
        metavar="LIST",
        help="comma-separated test paths (default: tests)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=540,
        metavar="S",
        help="seconds for everything (540)",
    )
    parser.add_argument(
        "--notebook-timeout",
        type=float,
        metavar="S",
        help="seconds per notebook (default: shared)",
    )
    parser.add_argument(
        "--min-notebook",
        type=float,
        default=30,
        metavar="S",
        help="least seconds per notebook (30)",
    )
    parser.add_argument(
        "--require-cuda", action="store_true", help="no CUDA is a failure"
    )
    parser.add_argument(
        "--tail",
        type=int,
        default=40,
        metavar="N",
        help="last lines shown per failure (40)",
    )
    options = parser.parse_args(argv)
    if options.budget <= GRACE:
        parser.error(f"--budget {options.budget:g}: needs more than {GRACE:g} s")
    options.command = shlex.join(["scripts/gpu_check.sh", *argv])
    return options


def step_limit(check: Check, step: str, chosen: list[str]) -> float:
    """The step's weight's share of the time left, among the steps still to run."""
    still = chosen[chosen.index(step) :]
    weight = WEIGHTS[step] / sum(WEIGHTS[s] for s in still if s in WEIGHTS)
    return check.left() * weight


def run_steps(check: Check) -> None:
    chosen = [step for step in STEPS if step in check.options.steps]
    runners = {"unit": step_unit, "notebooks": step_notebooks, "charlm": step_charlm}
    for step in STEPS:
        if step not in chosen:
            continue
        if step == "device":
            check.steps[step] = step_device(check)
        elif "device" in check.steps and check.steps["device"].status != PASSED:
            check.steps[step] = Outcome(step, details="the device step failed")
        elif missing_for(check, step):
            missing = ", ".join(missing_for(check, step))
            check.steps[step] = Outcome(step, MISSING, details=f"needs {missing}")
        elif check.left() < 1:
            check.steps[step] = Outcome(step, details="no time left in the budget")
        else:
            check.steps[step] = runners[step](check, step_limit(check, step, chosen))
        write_report(check)


def main(argv: list[str]) -> int:
    options = parse_args(argv)
    out = Path(options.out or os.environ.get("OUT") or ROOT / "_build" / "gpu-check")
    out.mkdir(parents=True, exist_ok=True)
    for old in ("report.md", "report.json", *(f"{step}.log" for step in STEPS)):
        (out / old).unlink(missing_ok=True)
    check = Check(options, out, commit=git_commit())
    check.cpu_seconds = notebook_seconds(options.size)
    with tempfile.TemporaryDirectory(
        prefix="gpu-check-cache-", ignore_cleanup_errors=True
    ) as cache:
        options.cache = cache
        try:
            run_steps(check)
        finally:
            write_report(check)
    for step in check.steps.values():
        print(f"{step.name:10} {step.status:16} {step.seconds:7.1f} s  {step.details}")
    summary = "something failed" if check.failed() else "all passed"
    print(f"gpu check: {summary}; report: {out / 'report.md'}")
    return 1 if check.failed() else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
