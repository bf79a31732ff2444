"""The layers import downwards only: core < train < inspect < gui and cli.

Every import in the package is read from the source, those inside functions included (a lazy
import is still a dependency), those under ``if TYPE_CHECKING:`` left out (they never run).
"""

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "resnet_studio"
# the package's own top-level modules (atomic, desktop) sit under everything
LAYERS = {"": 0, "core": 1, "weights": 2, "train": 2, "inspect": 3, "measure": 3, "sweep": 3}
FACES = {"gui": 4, "cli": 4, "notebook": 4}  # faces over the same layers; the CLI opens the window
# known exceptions, each with its reason: keep this short
ALLOWED = {
    # `resnet_studio.train(...)`: the package, called, is the notebook's train() (issue 23)
    ("resnet_studio.train", "resnet_studio.notebook"),
    ("resnet_studio.train", "resnet_studio.notebook.train"),
}
QT = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "pyqtgraph", "qtpy")


def _module(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: pathlib.Path) -> list[str]:
    """What ``path`` imports when it runs, as absolute module names."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            base = base[: len(base) - node.level + 1] if node.level else []
            target = ".".join([*base, node.module] if node.module else base)
            found.append(target)
            # ``from . import workers``: the names may be modules
            found.extend(f"{target}.{a.name}" for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def _layer(module: str) -> tuple[str, int]:
    """The folder of a resnet_studio module and its rank."""
    parts = module.split(".")
    if module == "resnet_studio.__main__":  # `python -m resnet_studio` is the command line
        return "cli", FACES["cli"]
    folder = parts[1] if len(parts) > 1 and (PACKAGE / parts[1]).is_dir() else ""
    rank = {**LAYERS, **FACES}.get(folder)
    assert rank is not None, f"{module}: the folder '{folder}' has no place in LAYERS; add it"
    return folder, rank


def _sources() -> list[pathlib.Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_a_layer_never_imports_a_higher_one():
    wrong = []
    for path in _sources():
        module = _module(path)
        if module == "resnet_studio":
            continue  # the package's face re-exports the core
        folder, rank = _layer(module)
        for target in _imports(path):
            if not target.startswith("resnet_studio."):
                continue
            to_folder, to_rank = _layer(target)
            if to_rank > rank and (module, target) not in ALLOWED:
                wrong.append(f"{module} ({folder or 'top'}) imports {target} ({to_folder})")
    assert not wrong, "\n".join(wrong)


def test_layers_below_the_faces_import_no_qt():
    wrong = []
    for path in _sources():
        module = _module(path)
        if _layer(module)[0] in FACES:
            continue
        wrong += [f"{module} imports {t}" for t in _imports(path) if t.startswith(QT)]
    assert not wrong, "\n".join(wrong)


def test_the_core_has_no_import_circle():
    """A spec validates without importing modules that import the spec back."""
    core = {_module(p): p for p in (PACKAGE / "core").rglob("*.py")}
    edges = {m: {t for t in _imports(p) if t in core and t != m} for m, p in core.items()}
    edges.pop("resnet_studio.core")  # the package's own re-exports
    for targets in edges.values():
        targets.discard("resnet_studio.core")

    def circle(start: str) -> list[str] | None:
        stack = [(start, [start])]
        seen = set()
        while stack:
            node, path = stack.pop()
            for nxt in edges.get(node, ()):
                if nxt == start:
                    return [*path, nxt]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
        return None

    circles = [c for m in edges if (c := circle(m))]
    assert not circles, " -> ".join(circles[0])
