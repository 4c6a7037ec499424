"""The house's rules, checked over the source tree: imports go one way only (evidence -> ledger
-> world -> analysis/finance -> publish/cli/web, with units and errors at the bottom), there is
no import cycle, only the ledger speaks SQL, and modules stay small."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

SRC = Path(__file__).resolve().parents[1] / "src" / "stargate"

# Lower numbers may be imported by higher ones, never the other way. The data flows evidence ->
# ledger -> world, but the ledger is the store of record that evidence writes to, so the ledger
# sits below evidence in the import order.
LAYERS: dict[str, int] = {
    "errors": 0, "jsonable": 0, "units": 0, "yamlfile": 0, "capacity": 0, "compute": 0,
    "ledger": 1,
    "evidence": 2,
    "world": 3,
    "analysis": 4,
    "finance": 5,
    "publish": 6,
    "web": 7,
    "cli": 8,
}  # fmt: skip
TOP = {"stargate", "stargate.__main__"}  # the public API and `python -m stargate`
MAX_LINES = 800


def _module(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported stargate module, whether only for type checking) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            typing_only |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    found = []
    package = _module(path) if path.name == "__init__.py" else _module(path).rsplit(".", 1)[0]
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        for name in names:
            if name == "stargate" or name.startswith("stargate."):
                found.append((name, id(node) in typing_only))
    return found


def _files() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def _known_modules() -> set[str]:
    return {_module(p) for p in _files()}


def _resolve(name: str, known: set[str]) -> str | None:
    """The module an imported name refers to (``from a.b import c`` may name a function)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def test_imports_go_one_way_only() -> None:
    known = _known_modules()
    wrong = []
    for path in _files():
        source = _module(path)
        if source in TOP:
            continue
        own = _layer(source)
        assert own is not None, f"{source}: add its package to LAYERS"
        for name, _ in _imports(path):
            target = _resolve(name, known)
            if target is None or name in {"stargate", "stargate.__version__"}:
                continue
            if target in TOP:
                wrong.append(f"{source} imports {target} (the public API is for users)")
                continue
            other = _layer(target)
            assert other is not None, f"{target}: add its package to LAYERS"
            if other > own:
                wrong.append(f"{source} (layer {own}) imports {target} (layer {other})")
    assert not wrong, "upward imports:\n" + "\n".join(wrong)


def test_no_import_cycles() -> None:
    known = _known_modules()
    graph = nx.DiGraph()
    for path in _files():
        source = _module(path)
        graph.add_node(source)
        for name, typing_only in _imports(path):
            target = _resolve(name, known)
            if typing_only or target is None or target == source:
                continue
            # importing a module runs its package's __init__ first: that is not a cycle edge
            if source.startswith(target + "."):
                continue
            graph.add_edge(source, target)
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert not cycles, f"import cycles: {cycles}"


def test_package_level_graph_is_acyclic() -> None:
    known = _known_modules()
    graph = nx.DiGraph()
    for path in _files():
        source = _layer_name(_module(path))
        for name, typing_only in _imports(path):
            target = _resolve(name, known)
            if typing_only or target is None or target in TOP:
                continue
            other = _layer_name(target)
            if other != source and source is not None:
                graph.add_edge(source, other)
    assert nx.is_directed_acyclic_graph(graph), list(nx.simple_cycles(graph))


def _layer_name(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_only_the_ledger_speaks_sql() -> None:
    offenders = []
    for path in _files():
        if "ledger" in path.relative_to(SRC).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            modules = []
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            if any(m.split(".")[0] in {"sqlalchemy", "sqlite3", "psycopg", "alembic"}
                   for m in modules):  # fmt: skip
                offenders.append(str(path.relative_to(SRC)))
    assert not offenders, f"SQL outside stargate/ledger: {offenders}"


def test_one_error_base() -> None:
    offenders = []
    for path in _files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
            derived = bases & {"StargateError", "StoreError", "DatabaseError"}
            if node.name.endswith("Error") and node.name != "StargateError" and not derived:
                offenders.append(f"{path.relative_to(SRC)}: {node.name}")
    assert not offenders, f"errors not derived from StargateError: {offenders}"


def test_modules_stay_small_and_cite_no_path_outside_the_repository() -> None:
    too_long, outside = [], []
    for path in _files():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_LINES:
            too_long.append(f"{path.relative_to(SRC)}: {text.count(chr(10))} lines")
        if "shared/reference" in text or "shared/seeds" in text:
            outside.append(str(path.relative_to(SRC)))
    assert not too_long, too_long
    assert not outside, f"cite the public source, not a path outside the repository: {outside}"
