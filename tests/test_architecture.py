"""lib's architecture: three wings over shared modules, imports flowing one way.

* shared modules (``lib/*.py``) import no wing;
* ``lib.recurrent`` and ``lib.graphs`` import only shared modules (and themselves);
* ``lib.text`` imports shared modules, itself and ``lib.recurrent``;
* nothing in ``lib`` imports ``notebooks``, ``scripts`` or ``tests``.

Imports are read with ``ast`` (every ``import`` statement, at any depth, so a lazy
import inside a function counts too); nothing is executed.
"""

import ast
from pathlib import Path

import pytest

from scripts.build_book import imported_modules

LIB = Path(__file__).resolve().parents[1] / "lib"
WINGS = ("recurrent", "text", "graphs")
ALLOWED = {
    "shared": set(),
    "recurrent": {"recurrent"},
    "graphs": {"graphs"},
    "text": {"text", "recurrent"},
}
FORBIDDEN_ROOTS = ("notebooks", "scripts", "tests")


def part_of(module: str) -> str:
    """'lib.recurrent.lstm' -> 'recurrent'; 'lib.runtime' or 'lib' -> 'shared'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in WINGS else "shared"


def module_name(path: Path, lib: Path = LIB) -> str:
    parts = path.relative_to(lib.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(path: Path, lib: Path = LIB) -> set[str]:
    """Every module ``path`` imports, absolute (``from lib import x`` gives ``lib.x``).

    The book build's reader of imports (scripts/build_book.py), which also resolves
    relative imports; a name that may be a module or an attribute is kept: it belongs to
    the same part.
    """
    name = module_name(path, lib)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    needed, maybe = imported_modules(ast.parse(path.read_text()), package, str(path))
    return needed | maybe


MODULES = sorted(LIB.rglob("*.py"))


def test_every_wing_is_a_package_and_found():
    assert {p.parent.name for p in MODULES if p.parent != LIB} >= set(WINGS), (
        f"expected the wings {WINGS} under {LIB}"
    )
    for wing in WINGS:
        assert (LIB / wing / "__init__.py").is_file(), f"lib/{wing} has no __init__.py"


def violations(path: Path, lib: Path = LIB) -> list[str]:
    """What is wrong with the imports of ``path`` (empty when they flow the right
    way)."""
    importer, found = part_of(module_name(path, lib)), []
    for name in sorted(imported_names(path, lib)):
        root = name.split(".")[0]
        if root in FORBIDDEN_ROOTS:
            found.append(f"imports {name}: lib never imports {root}/")
        elif (
            root == "lib"
            and part_of(name) != "shared"
            and part_of(name) not in ALLOWED[importer]
        ):
            allowed = " and ".join(["shared modules", *sorted(ALLOWED[importer])])
            found.append(
                f"({importer}) imports {name} ({part_of(name)}); "
                f"it may import {allowed}"
            )
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(LIB.parent)))
def test_imports_flow_one_way(path):
    assert violations(path) == [], f"{path.relative_to(LIB.parent)}: {violations(path)}"


def test_lib_init_imports_nothing_heavy():
    imports = imported_names(LIB / "__init__.py")
    assert imports == set(), (
        f"lib/__init__.py imports {imports}; `import lib` must stay instant"
    )


def test_the_checker_sees_violations(tmp_path):
    """The rule can fail: lazy, relative and forbidden imports are all caught."""
    lib = tmp_path / "lib"
    for folder in (lib, lib / "graphs", lib / "recurrent"):
        folder.mkdir()
        (folder / "__init__.py").write_text("")
    bad = lib / "graphs" / "bad.py"
    bad.write_text(
        "import torch\nfrom lib.runtime import by_size\nfrom ..recurrent import lstm\n"
        "def f():\n    from lib.recurrent.rnn import VanillaRNN\n"
        "    import scripts.toc\n"
    )
    found = " ".join(violations(bad, lib))
    for caught in (
        "lib.recurrent.lstm",
        "lib.recurrent.rnn",
        "scripts.toc",
    ):  # relative, lazy
        assert caught in found, f"expected a violation naming {caught}, got {found!r}"
    assert "runtime" not in found and "torch" not in found, found
    shared = lib / "runtime.py"
    shared.write_text("from lib import graphs\n")
    assert violations(shared, lib) == [
        "(shared) imports lib.graphs (graphs); it may import shared modules"
    ]
