#!/usr/bin/env bash
# Check the book on a GPU machine: the unit tests with cuda as torch's default device,
# the notebooks at book size, the full-size character model; one report (Markdown).
#
#   bash scripts/gpu_check.sh [OUT] [--steps device,unit,notebooks,charlm]
#       [--notebooks bptt,gcn] [--size smoke|book|full] [--budget SECONDS] ...
#
# OUT defaults to $OUT, else _build/gpu-check; `--help` lists every option, and
# scripts/gpu_check.py's docstring says what each step does and how the time is shared.
# The Python is GPU_CHECK_PYTHON when set, else .venv's when there, else python3 (a GPU
# machine's own torch); the repository is put on PYTHONPATH, so lib need not be
# installed. Exit status: 0 all passed, 1 something failed, 2 bad arguments.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${GPU_CHECK_PYTHON:-}"
if [[ -z "$python" ]]; then
    if [[ -x "$root/.venv/bin/python" ]]; then
        python="$root/.venv/bin/python"
    else
        python="python3"
    fi
fi

cd "$root"
exec "$python" scripts/gpu_check.py "$@"
