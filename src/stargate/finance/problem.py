"""The ``stargate clear`` job: a clearing problem read from NETWORK.json or from nodes.csv +
edges.csv, solved by one method of :data:`~stargate.finance.methods.METHODS`, reported per node.

JSON keys: ``nodes`` (names); ``liabilities`` (n×n, row owes column) or ``edges`` (a list of
``{"from", "to", "amount"}``: ``from`` owes ``to``); ``external_assets``; optional
``external_liabilities`` (zeros), ``external_seniority`` (``pari_passu``), ``alpha``, ``beta``
(1), ``recovery_rate`` (0), ``default_at_zero`` (false); for DebtRank ``equity`` (book equity),
``shock`` (zeros), ``weights``, ``single_hit`` (true), ``cap`` (true).

CSV: nodes.csv has a ``name`` column and optional ``external_assets``, ``external_liabilities``,
``equity``, ``shock``, ``weight`` columns; edges.csv has ``from``, ``to``, ``amount`` (repeated
pairs add up). Every error names the file, and the row or key.

Limits (``docs/limits.md``): files of at most :data:`MAX_FILE_BYTES`, at most :data:`MAX_NODES`
nodes, every amount within ±:data:`MAX_AMOUNT` (the money domain of :mod:`stargate.units`), no
NaN or infinities, no key or column the format does not define; JSON nested deeper than Python
reads (about 1,000 levels) is refused, and any nesting the format does not have is a shape error.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from stargate.finance.methods import METHODS, solver
from stargate.finance.network import ClearingInputError, Conventions, Network, network
from stargate.units import DOMAINS, Dimension

MAX_FILE_BYTES = 64 * 1024 * 1024
"""The largest NETWORK.json, nodes.csv or edges.csv read (64 MiB)."""
MAX_NODES = 5_000
"""The most nodes a problem may have: the dense obligation matrix of 5,000 nodes is 200 MB."""
MAX_AMOUNT = float(DOMAINS[Dimension.MONEY].high)
"""The largest amount (in absolute value): the money domain, 1e15."""
MAX_EDGES = 1_000_000
"""The most rows an edges.csv (or nodes.csv) may have."""

_CONVENTION_KEYS = ("external_seniority", "alpha", "beta", "recovery_rate", "default_at_zero",
                    "single_hit", "cap")  # fmt: skip
_FLAGS = frozenset({"default_at_zero", "single_hit", "cap"})
_JSON_KEYS = frozenset({"nodes", "liabilities", "edges", "external_assets", "external_liabilities",
                        "equity", "shock", "weights", *_CONVENTION_KEYS})  # fmt: skip
_EDGE_KEYS = frozenset({"from", "to", "amount"})
_NODE_COLUMNS = frozenset({"name", "external_assets", "external_liabilities", "equity", "shock",
                           "weight"})  # fmt: skip

if TYPE_CHECKING:
    from stargate.finance.clearing import ClearingResult


@dataclass(frozen=True, slots=True)
class Problem:
    names: tuple[str, ...]
    network: Network
    conventions: Conventions
    equity: np.ndarray | None = None
    shock: np.ndarray | None = None
    weights: np.ndarray | None = None


def _numbers(where: str, key: str, value: Any, n: int) -> np.ndarray:
    if not isinstance(value, list) or len(value) != n:
        raise ClearingInputError(f"{where}: {key!r} must be a list of {n} numbers (one per node)")
    if not all(isinstance(v, float) for v in value):  # JSON numbers are read as floats
        raise ClearingInputError(f"{where}: {key!r} must hold numbers only")
    numbers = np.array(value, dtype=float)
    if not np.all(np.isfinite(numbers)):
        raise ClearingInputError(f"{where}: {key!r} must hold {n} finite numbers")
    if np.any(np.abs(numbers) > MAX_AMOUNT):
        raise ClearingInputError(f"{where}: {key!r} holds an amount beyond ±{MAX_AMOUNT:.0e}")
    return numbers


def _edges(where: str, edges: Any, index: dict[str, int]) -> np.ndarray:
    n = len(index)
    L = np.zeros((n, n))
    if not isinstance(edges, list):
        raise ClearingInputError(f"{where}: 'edges' must be a list of {{from, to, amount}}")
    for k, edge in enumerate(edges):
        here = f"{where}: edge {k + 1}"
        if not isinstance(edge, dict) or not set(edge) >= _EDGE_KEYS:
            raise ClearingInputError(f"{here}: needs 'from', 'to' and 'amount'")
        if unknown := set(edge) - _EDGE_KEYS:
            raise ClearingInputError(f"{here}: unknown key(s) {_names(unknown)}")
        for end in ("from", "to"):
            if not isinstance(edge[end], str) or edge[end] not in index:
                raise ClearingInputError(f"{here}: unknown node {_shown(edge[end])} in {end!r}")
        amount = edge["amount"]
        if isinstance(amount, bool) or not isinstance(amount, int | float):
            raise ClearingInputError(f"{here}: 'amount' must be a number")
        if not math.isfinite(amount) or amount < 0:
            raise ClearingInputError(f"{here}: 'amount' must be finite and non-negative")
        if amount > MAX_AMOUNT:
            raise ClearingInputError(f"{here}: 'amount' is beyond {MAX_AMOUNT:.0e}")
        if edge["from"] == edge["to"]:
            raise ClearingInputError(f"{here}: a node cannot owe itself")
        L[index[edge["from"]], index[edge["to"]]] += amount
    return L


def _conventions(where: str, data: dict[str, Any]) -> Conventions:
    options = {key: data[key] for key in _CONVENTION_KEYS if key in data}
    for key, value in options.items():
        if key in _FLAGS and not isinstance(value, bool):
            raise ClearingInputError(f"{where}: {key!r} must be true or false")
        if key in {"alpha", "beta", "recovery_rate"} and not isinstance(value, float):
            raise ClearingInputError(f"{where}: {key!r} must be a number in [0, 1]")
        if key == "external_seniority" and not isinstance(value, str):
            raise ClearingInputError(f"{where}: {key!r} must be 'pari_passu' or 'senior'")
    try:
        return Conventions(**options)
    except (ClearingInputError, ValueError) as error:
        raise ClearingInputError(f"{where}: {error}") from None


def _names(keys: set[Any]) -> str:
    return ", ".join(_shown(k) for k in sorted(keys, key=str))


def _shown(value: Any) -> str:
    """A value for a message, never longer than 60 characters."""
    if isinstance(value, list | dict):
        return f"a JSON {'list' if isinstance(value, list) else 'object'}"
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _read(path: Path) -> str:
    """A file's text, refused when over :data:`MAX_FILE_BYTES` or not UTF-8."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ClearingInputError(f"{path}: cannot read: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ClearingInputError(f"{path}: over the {MAX_FILE_BYTES // 2**20} MiB limit")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ClearingInputError(f"{path}: not UTF-8 (byte {error.start})") from None


def _constant(name: str) -> float:
    raise ClearingInputError(f"{name} is not a number JSON allows (amounts must be finite)")


def load_json(path: Path) -> Problem:
    where = str(path)
    text = _read(path)
    try:  # numbers are read as floats: a 400-digit integer is 1e400, refused as not finite
        data = json.loads(text, parse_int=float, parse_constant=_constant)
    except ClearingInputError as error:
        raise ClearingInputError(f"{where}: {error}") from None
    except json.JSONDecodeError as error:
        raise ClearingInputError(f"{where}: not valid JSON: {error}") from None
    except RecursionError:
        raise ClearingInputError(f"{where}: nested too deeply to read") from None
    except ValueError as error:
        raise ClearingInputError(f"{where}: not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise ClearingInputError(f"{where}: expected a JSON object")
    if unknown := set(data) - _JSON_KEYS:
        raise ClearingInputError(
            f"{where}: unknown key(s) {_names(unknown)}; known: {', '.join(sorted(_JSON_KEYS))}"
        )
    names = data.get("nodes")
    if not isinstance(names, list) or not names or not all(isinstance(x, str) for x in names):
        raise ClearingInputError(f"{where}: 'nodes' must be a non-empty list of names")
    if len(names) > MAX_NODES:
        raise ClearingInputError(f"{where}: {len(names):,} nodes; at most {MAX_NODES:,}")
    if len(set(names)) != len(names):
        raise ClearingInputError(f"{where}: node names must be unique")
    n = len(names)
    index = {name: i for i, name in enumerate(names)}
    if ("liabilities" in data) == ("edges" in data):
        raise ClearingInputError(f"{where}: give exactly one of 'liabilities' or 'edges'")
    if "liabilities" in data:
        rows = data["liabilities"]
        if not isinstance(rows, list) or len(rows) != n:
            raise ClearingInputError(f"{where}: 'liabilities' must be {n} rows of {n} numbers")
        L = np.vstack([_numbers(where, f"liabilities row {i + 1}", row, n) for i, row in
                       enumerate(rows)])  # fmt: skip
    else:
        L = _edges(where, data["edges"], index)
    if "external_assets" not in data:
        raise ClearingInputError(f"{where}: 'external_assets' is required")
    assets = _numbers(where, "external_assets", data["external_assets"], n)
    debts = (
        _numbers(where, "external_liabilities", data["external_liabilities"], n)
        if "external_liabilities" in data else None
    )  # fmt: skip
    optional = {
        key: _numbers(where, key, data[key], n)
        for key in ("equity", "shock", "weights")
        if data.get(key) is not None
    }
    try:
        net = network(L, assets, debts)
    except ClearingInputError as error:
        raise ClearingInputError(f"{where}: {error}") from None
    return Problem(tuple(names), net, _conventions(where, data), **optional)


def _read_csv(path: Path, columns: frozenset[str]) -> list[dict[str, str]]:
    """The rows of a CSV file whose header names only ``columns``; short rows and rows with
    extra cells are refused, naming the row."""
    try:
        reader = csv.DictReader(io.StringIO(_read(path), newline=""))
        header = reader.fieldnames or []
        if unknown := set(header) - columns:
            raise ClearingInputError(
                f"{path}: unknown column(s) {_names(unknown)}; known: {', '.join(sorted(columns))}"
            )
        rows = []
        for number, row in enumerate(reader, start=2):
            if None in row or any(v is None for v in row.values()):
                raise ClearingInputError(f"{path}: row {number}: not {len(header)} cells")
            rows.append(row)
            if len(rows) > MAX_EDGES:
                raise ClearingInputError(f"{path}: over {MAX_EDGES:,} rows")
        return rows
    except csv.Error as error:
        raise ClearingInputError(f"{path}: cannot read CSV: {error}") from None


def _cell(path: Path, row_no: int, row: dict[str, str], key: str, default: float) -> float:
    text = (row.get(key) or "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ClearingInputError(
            f"{path}: row {row_no}: {key!r} is not a number: {_shown(text)}"
        ) from None
    if not math.isfinite(value):
        raise ClearingInputError(f"{path}: row {row_no}: {key!r} must be finite")
    if abs(value) > MAX_AMOUNT:
        raise ClearingInputError(f"{path}: row {row_no}: {key!r} is beyond ±{MAX_AMOUNT:.0e}")
    return value


def load_csv(nodes_path: Path, edges_path: Path, conventions: Conventions) -> Problem:
    rows = _read_csv(nodes_path, _NODE_COLUMNS)
    if not rows or "name" not in rows[0]:
        raise ClearingInputError(f"{nodes_path}: needs a header with a 'name' column and rows")
    if len(rows) > MAX_NODES:
        raise ClearingInputError(f"{nodes_path}: {len(rows):,} nodes; at most {MAX_NODES:,}")
    names = [row["name"].strip() for row in rows]
    if len(set(names)) != len(names) or not all(names):
        raise ClearingInputError(f"{nodes_path}: node names must be non-empty and unique")
    columns = {
        key: np.array([_cell(nodes_path, i + 2, row, key, 0.0) for i, row in enumerate(rows)])
        for key in ("external_assets", "external_liabilities", "equity", "shock", "weight")
    }
    present = set(rows[0])
    edges = []
    for k, row in enumerate(_read_csv(edges_path, _EDGE_KEYS), start=2):
        if not {"from", "to", "amount"} <= set(row):
            raise ClearingInputError(f"{edges_path}: needs columns from, to, amount")
        edges.append(
            {"from": row["from"].strip(), "to": row["to"].strip(),
             "amount": _cell(edges_path, k, row, "amount", 0.0)}
        )  # fmt: skip
    L = _edges(str(edges_path), edges, {name: i for i, name in enumerate(names)})
    net = network(L, columns["external_assets"], columns["external_liabilities"])
    return Problem(
        tuple(names),
        net,
        conventions,
        equity=columns["equity"] if "equity" in present else None,
        shock=columns["shock"] if "shock" in present else None,
        weights=columns["weight"] if "weight" in present else None,
    )


def load_problem(
    network_file: Path | None,
    nodes_csv: Path | None,
    edges_csv: Path | None,
    overrides: dict[str, Any],
) -> Problem:
    """The problem from NETWORK.json or the two CSV files, with command-line overrides applied."""
    if network_file is not None and (nodes_csv or edges_csv):
        raise ClearingInputError("give NETWORK.json or --nodes/--edges, not both")
    changes: dict[str, Any] = {
        "external_seniority": overrides.get("external_seniority"),
        "alpha": overrides.get("alpha"),
        "beta": overrides.get("beta"),
        "recovery_rate": overrides.get("recovery_rate"),
        "default_at_zero": overrides.get("default_at_zero"),
        "single_hit": None if not overrides.get("linear") else False,
        "cap": None if not overrides.get("uncapped") else False,
    }
    changes = {k: v for k, v in changes.items() if v is not None}
    if network_file is not None:
        problem = load_json(network_file)
    elif nodes_csv is not None and edges_csv is not None:
        problem = load_csv(nodes_csv, edges_csv, Conventions())
    else:
        raise ClearingInputError("give NETWORK.json, or both --nodes and --edges")
    try:
        conventions = dataclasses.replace(problem.conventions, **changes)
    except (ClearingInputError, ValueError) as error:
        raise ClearingInputError(str(error)) from None
    return dataclasses.replace(problem, conventions=conventions)


def solve(problem: Problem, method: str, vector: str) -> ClearingResult:
    """Run ``method`` (a name from :data:`METHODS`) on the problem."""
    if method not in METHODS:
        raise ClearingInputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    net, conventions = problem.network, problem.conventions
    function = solver(method)
    if method == "eisenberg_noe":
        return cast("ClearingResult", function(net, conventions, vector=vector))
    if vector != "greatest":
        raise ClearingInputError("--vector least applies to eisenberg_noe only")
    if METHODS[method].clears_payments:
        return cast("ClearingResult", function(net, conventions))
    shock = problem.shock if problem.shock is not None else np.zeros(net.n)
    outcome = function(net, shock, conventions, equity=problem.equity, weights=problem.weights)
    return cast("ClearingResult", outcome)


def _plain(values: np.ndarray) -> list[Any]:
    return [v.item() for v in np.asarray(values).ravel()]


def report(problem: Problem, result: ClearingResult, vector: str) -> dict[str, Any]:
    """The contract of ``stargate clear --json``: one object with one list entry per node."""
    waves = _plain(result.default_wave)
    data: dict[str, Any] = {
        "method": result.method,
        "nodes": list(problem.names),
        "payments": _plain(result.payments),
        "defaulted": _plain(result.defaulted),
        "equity": _plain(result.equity),
        "recovery_rate": _plain(result.recovery_rate),
        "default_wave": [w if w > 0 else None for w in waves],
        "rounds": int(np.max(result.rounds)),
        "interbank_payments": _plain(result.interbank_payments),
        "external_payments": _plain(result.external_payments),
        "conventions": {
            k: (str(v) if not isinstance(v, bool | int | float) else v)
            for k, v in dataclasses.asdict(problem.conventions).items()
        },
    }
    if result.method == "eisenberg_noe":
        data["vector"] = vector
    if result.h is not None and result.debtrank is not None:
        data["h"] = _plain(result.h)
        data["debtrank"] = float(np.asarray(result.debtrank).ravel()[0])
    return data
