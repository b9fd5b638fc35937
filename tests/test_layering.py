"""The package's import layers: each module imports only from the layers below it or its own,
so the graph has no cycle and a change cannot quietly add an upward import.

The imports are read from the source with ``ast`` (those inside functions too), never by
importing anything. A new module must be placed in ``LAYERS`` before this test passes.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "bracketcloser"

# bottom to top; a module may import from its own layer and every layer below it
LAYERS = [
    # the vocabulary; config checks; the original README's examples; every text shown, English and Japanese
    ["tokens", "settings", "examples", "recipes", "text"],
    ["solver"],  # the exact answer: a stack
    ["data"],  # samplers, the split, the suites
    ["files", "plots"],  # dataset files and atomic writes; figures as PNG bytes
    ["architectures.base"],  # the model contract
    ["architectures.layers", "architectures.recurrent", "architectures.stack"],
    ["architectures.transformer", "architectures.bert", "architectures.gpt"],
    ["architectures"],  # the registry: the one place architecture names appear
    ["batch"],  # examples -> tensors
    ["checkpoint"],  # a run folder <-> a model
    ["inference"],  # Completer and load(): a model ready to answer
    ["evaluate"],
    ["bracketcloser"],  # the public API (load, solve, __version__): run_folder and cli read its version
    ["run_folder"],  # a training run's files
    ["train"],
    ["compare", "tune", "demo"],
    ["app.figures"],
    ["app.lab"],
    ["app.page"],  # the only module that imports Gradio
    ["app"],
    ["cli"],
    ["__main__"],
]


def module_name(path: Path) -> str:
    """``.../bracketcloser/app/lab.py`` -> ``app.lab``; a package's ``__init__`` is the package."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or "bracketcloser"


def package_of(name: str, path: Path) -> list[str]:
    """The package a module's relative imports start from, as parts below ``bracketcloser``."""
    parts = [] if name == "bracketcloser" else name.split(".")
    return parts if path.name == "__init__.py" else parts[:-1]


def internal_imports(path: Path, modules: set[str]) -> set[str]:
    """The package's modules that ``path`` imports, anywhere in it (function bodies included)."""
    name = module_name(path)
    found = set()

    def add(parts: list[str]) -> None:
        target = ".".join(parts) or "bracketcloser"
        assert target in modules, f"{name} imports {target}, which is not a module of the package"
        found.add(target)

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "bracketcloser" or alias.name.startswith("bracketcloser."):
                    add(alias.name.split(".")[1:])
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the module's package, one level up per extra dot
                base = package_of(name, path)
                base = base[: len(base) - (node.level - 1)]
            elif node.module == "bracketcloser" or (node.module or "").startswith("bracketcloser."):
                base = []
            else:
                continue  # outside the package
            base = base + (node.module.split(".") if node.module and node.level else
                           node.module.split(".")[1:] if node.module else [])
            for alias in node.names:  # `from . import demo` imports the module demo
                sub = ".".join(base + [alias.name])
                add(base + [alias.name] if sub in modules else base)
    found.discard(name)
    return found


def graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    return {module_name(p): internal_imports(p, modules) for p in paths}


def test_every_module_has_a_layer():
    placed = [m for layer in LAYERS for m in layer]
    assert len(placed) == len(set(placed)), "a module is placed twice"
    assert set(placed) == set(graph()), "place every module of the package in LAYERS (and only those)"


def test_no_module_imports_from_a_layer_above_it():
    layer_of = {m: i for i, layer in enumerate(LAYERS) for m in layer}
    upward = [f"{m} (layer {layer_of[m]}) imports {t} (layer {layer_of[t]})"
              for m, targets in graph().items() for t in sorted(targets) if layer_of[t] > layer_of[m]]
    assert not upward, "\n".join(upward)


def test_no_import_cycle():
    edges, state, path = graph(), {}, []

    def visit(m: str) -> None:
        state[m] = "open"
        path.append(m)
        for t in sorted(edges[m]):
            assert state.get(t) != "open", "import cycle: " + " -> ".join(path[path.index(t):] + [t])
            if t not in state:
                visit(t)
        path.pop()
        state[m] = "done"

    for m in sorted(edges):
        if m not in state:
            visit(m)


def test_the_reader_sees_function_level_and_relative_imports():
    edges = graph()
    assert "app" in edges["cli"]  # `from .app import serve` inside a function
    assert "demo" in edges["cli"]  # `from . import demo`: the module, not the package
    assert "bracketcloser" in edges["cli"]  # `from . import __version__`: the package itself
    assert {"data", "architectures", "train"} <= edges["app.lab"]  # `from ..data import ...`
    assert "compare" in edges["app.lab"]  # inside a method
    assert "architectures.base" in edges["inference"] and "checkpoint" in edges["inference"]
    assert edges["tokens"] == set() and edges["text"] == set()  # the table of texts reads nothing of the package
    assert "text" in edges["app.figures"] and "text" in edges["evaluate"] and "text" in edges["demo"]
