"""The house rules that keep the rooms easy to read (docs/architecture.md), checked on src/.

- no module imports another module's private (`_name`) names;
- no import cycles between modules (a package counts as its `__init__`; imports inside
  functions count too, since hiding a cycle in a function does not remove it; imports
  under `if TYPE_CHECKING:` do not, as they never run);
- nothing but the CLI imports the CLI;
- `story`, `terms`, `times`, `values`, `masking`, `passwords` import nothing of ours, and
  `formats/` nothing but itself and `story`, `terms`, `times`;
- no module over 450 lines.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "wiredesk"
MAX_LINES = 450


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((SRC / PACKAGE).rglob("*.py"))
            if "migrations" not in p.parts}


def imports(name: str) -> list[tuple[str, str, int]]:
    """(imported module, imported name or "", line) for every import of ours in a module."""
    path = modules()[name]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and ast.unparse(block.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
                   for stmt in block.body for n in ast.walk(stmt)}
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:  # annotations only: never imported at run time
            continue
        if isinstance(node, ast.Import):
            found += [(a.name, "", node.lineno) for a in node.names if a.name.startswith(PACKAGE)]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if not base.startswith(PACKAGE):
                continue
            for alias in node.names:
                target = f"{base}.{alias.name}"
                if target in modules():  # `from wiredesk import desk`: the module itself
                    found.append((target, "", node.lineno))
                else:
                    found.append((base, alias.name, node.lineno))
    return found


def private(what: str) -> bool:
    return what.startswith("_") and not what.startswith("__")


def test_no_private_names_cross_modules():
    bad = [f"{name}:{line} imports {target}.{what}"
           for name in modules() for target, what, line in imports(name)
           if private(what) and target != name]
    for name, path in modules().items():  # `plaincopy._signal(...)` after importing the module
        tree = ast.parse(path.read_text(encoding="utf-8"))
        ours = {alias.asname or alias.name for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE)
                for alias in node.names
                if f"{node.module}.{alias.name}" in modules()}
        bad += [f"{name}:{node.lineno} uses {node.value.id}.{node.attr}"
                for node in ast.walk(tree)
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in ours and private(node.attr)]
    assert bad == []


def test_no_import_cycles():
    graph = {name: {t for t, _, _ in imports(name) if t in modules() and t != name}
             for name in modules()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    assert cycles == []


def test_only_the_cli_imports_the_cli():
    bad = [f"{name} imports {target}" for name in modules() for target, _, _ in imports(name)
           if target.startswith(f"{PACKAGE}.cli") and not name.startswith(f"{PACKAGE}.cli")]
    assert bad == []


def test_the_model_and_formats_import_nothing_above_them():
    floor = {f"{PACKAGE}.{name}" for name in ("story", "terms", "times", "values", "masking",
                                              "passwords")}
    model = {f"{PACKAGE}.{name}" for name in ("story", "terms", "times")}
    bad = []
    for name in modules():
        for target, _, line in imports(name):
            if name in floor and target != name:
                bad.append(f"{name}:{line} imports {target}")
            if (name.startswith(f"{PACKAGE}.formats") and not target.startswith(f"{PACKAGE}.formats")
                    and target not in model):
                bad.append(f"{name}:{line} imports {target}")
    assert bad == []


def test_no_module_over_450_lines():
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
