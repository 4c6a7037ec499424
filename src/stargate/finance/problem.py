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
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from stargate.finance.methods import METHODS, solver
from stargate.finance.network import ClearingInputError, Conventions, Network, network

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
    try:
        numbers = np.array([float(v) for v in value if not isinstance(v, bool)])
    except (TypeError, ValueError):
        raise ClearingInputError(f"{where}: {key!r} must hold numbers only") from None
    if numbers.size != n or not np.all(np.isfinite(numbers)):
        raise ClearingInputError(f"{where}: {key!r} must hold {n} finite numbers")
    return numbers


def _edges(where: str, edges: Any, index: dict[str, int]) -> np.ndarray:
    n = len(index)
    L = np.zeros((n, n))
    if not isinstance(edges, list):
        raise ClearingInputError(f"{where}: 'edges' must be a list of {{from, to, amount}}")
    for k, edge in enumerate(edges):
        here = f"{where}: edge {k + 1}"
        if not isinstance(edge, dict) or not {"from", "to", "amount"} <= set(edge):
            raise ClearingInputError(f"{here}: needs 'from', 'to' and 'amount'")
        for end in ("from", "to"):
            if edge[end] not in index:
                raise ClearingInputError(f"{here}: unknown node {edge[end]!r} in {end!r}")
        amount = edge["amount"]
        if isinstance(amount, bool) or not isinstance(amount, int | float):
            raise ClearingInputError(f"{here}: 'amount' must be a number")
        if not math.isfinite(amount) or amount < 0:
            raise ClearingInputError(f"{here}: 'amount' must be finite and non-negative")
        if edge["from"] == edge["to"]:
            raise ClearingInputError(f"{here}: a node cannot owe itself")
        L[index[edge["from"]], index[edge["to"]]] += amount
    return L


def _conventions(where: str, data: dict[str, Any]) -> Conventions:
    options = {
        key: data[key]
        for key in (
            "external_seniority", "alpha", "beta", "recovery_rate", "default_at_zero",
            "single_hit", "cap",
        )
        if key in data
    }  # fmt: skip
    try:
        return Conventions(**options)
    except (ClearingInputError, ValueError) as error:
        raise ClearingInputError(f"{where}: {error}") from None


def load_json(path: Path) -> Problem:
    where = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ClearingInputError(f"{where}: cannot read: {error}") from None
    except json.JSONDecodeError as error:
        raise ClearingInputError(f"{where}: not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise ClearingInputError(f"{where}: expected a JSON object")
    names = data.get("nodes")
    if not isinstance(names, list) or not names or not all(isinstance(x, str) for x in names):
        raise ClearingInputError(f"{where}: 'nodes' must be a non-empty list of names")
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


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ClearingInputError(f"{path}: cannot read CSV: {error}") from None


def _cell(path: Path, row_no: int, row: dict[str, str], key: str, default: float) -> float:
    text = (row.get(key) or "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ClearingInputError(
            f"{path}: row {row_no}: {key!r} is not a number: {text!r}"
        ) from None
    if not math.isfinite(value):
        raise ClearingInputError(f"{path}: row {row_no}: {key!r} must be finite")
    return value


def load_csv(nodes_path: Path, edges_path: Path, conventions: Conventions) -> Problem:
    rows = _read_csv(nodes_path)
    if not rows or "name" not in rows[0]:
        raise ClearingInputError(f"{nodes_path}: needs a header with a 'name' column and rows")
    names = [row["name"].strip() for row in rows]
    if len(set(names)) != len(names) or not all(names):
        raise ClearingInputError(f"{nodes_path}: node names must be non-empty and unique")
    columns = {
        key: np.array([_cell(nodes_path, i + 2, row, key, 0.0) for i, row in enumerate(rows)])
        for key in ("external_assets", "external_liabilities", "equity", "shock", "weight")
    }
    present = set(rows[0])
    edges = []
    for k, row in enumerate(_read_csv(edges_path), start=2):
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
