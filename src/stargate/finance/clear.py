"""The ``stargate clear`` job: load a network file, run one method, report per node."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from stargate.finance.cascades import debtrank, furfine
from stargate.finance.clearing import ClearingResult, eisenberg_noe, rogers_veraart
from stargate.finance.network import ClearingInputError, Conventions
from stargate.finance.networkfile import Problem, load_csv, load_json

__all__ = ["ClearingInputError", "load_problem", "report", "solve"]


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
    net, conventions = problem.network, problem.conventions
    if method == "eisenberg_noe":
        return eisenberg_noe(net, conventions, vector=vector)  # type: ignore[arg-type]
    if vector != "greatest":
        raise ClearingInputError("--vector least applies to eisenberg_noe only")
    if method == "rogers_veraart":
        return rogers_veraart(net, conventions)
    if method == "furfine":
        return furfine(net, conventions)
    shock = problem.shock if problem.shock is not None else np.zeros(net.n)
    return debtrank(net, shock, conventions, equity=problem.equity, weights=problem.weights)


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
