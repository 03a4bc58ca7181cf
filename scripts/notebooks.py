"""Keep the book's notebooks in shape: one Colab set-up cell, no outputs.

    python scripts/notebooks.py sync [NOTEBOOK ...]  # default: every notebooks/*.ipynb
    python scripts/notebooks.py from-py SRC.py DST.ipynb

``sync`` makes the first cell of every notebook the hidden Colab cell generated from the
repository URL in _config.yml (the one place it lives), and strips outputs and execution
counts. ``from-py`` turns a percent-format script (``# %%`` code cells,
``# %% [markdown]`` cells whose lines start with ``# ``, optional ``tags=["a", "b"]``
after the marker) into a notebook.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
COLAB_TAG = "colab-setup"


def repository_url() -> str:
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


def colab_cell_source() -> str:
    url = repository_url()
    return (
        "# Colab only (hidden in the book): install this book's `lib` "
        "from its repository.\n"
        "# Colab's own torch is kept; lib.runtime.default_device() "
        "then picks the GPU if the\n"
        "# runtime has one (Runtime > Change runtime type > GPU).\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        "    import subprocess\n"
        "\n"
        f'    package = "rnn-gnn-book @ git+{url}"\n'
        '    pip = [sys.executable, "-m", "pip", "install", "--quiet"]\n'
        "    subprocess.run([*pip, package], check=True)"
    )


def colab_cell() -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(colab_cell_source())
    cell.metadata["tags"] = ["remove-cell", COLAB_TAG]
    cell.id = COLAB_TAG  # a fixed id, so that re-syncing does not change the file
    return cell


def sync(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    cells = [
        c for c in nb.cells if COLAB_TAG not in c.get("metadata", {}).get("tags", [])
    ]
    nb.cells = [colab_cell()] + cells
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata.setdefault("colab", {})["provenance"] = []
    nb.metadata["accelerator"] = "GPU"
    return nb


def from_py(text: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for chunk in re.split(r"^(?=# %%)", text, flags=re.M):
        if not chunk.strip():
            continue
        header, _, body = chunk.partition("\n")
        tags = (
            json.loads(m.group(1))
            if (m := re.search(r"tags=(\[.*?\])", header))
            else []
        )
        if "[markdown]" in header:
            lines = [re.sub(r"^# ?", "", line) for line in body.rstrip().splitlines()]
            cell = nbformat.v4.new_markdown_cell("\n".join(lines))
        else:
            cell = nbformat.v4.new_code_cell(body.strip("\n"))
        if tags:
            cell.metadata["tags"] = tags
        cell.id = f"cell-{len(nb.cells) + 1:03d}"
        nb.cells.append(cell)
    return nb


def write(nb, path: Path) -> None:
    nbformat.validate(nb)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def main(argv: list[str]) -> None:
    if argv[:1] == ["sync"]:
        paths = [Path(a) for a in argv[1:]] or sorted(
            (ROOT / "notebooks").glob("*.ipynb")
        )
        for path in paths:
            write(sync(nbformat.read(path, as_version=4)), path)
    elif argv[:1] == ["from-py"] and len(argv) == 3:
        write(sync(from_py(Path(argv[1]).read_text())), Path(argv[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
