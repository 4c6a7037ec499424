"""Circularity of the money network: cycles, and each vendor's circular share of revenue.

The money graph has an edge payer -> payee for every agreement (amounts summed). A cycle is a
closed loop of money (Nvidia -> OpenAI -> Oracle -> Nvidia); its bottleneck is the smallest edge,
the most that can go round it. A vendor's *circular share* is the part of its contracted revenue
(contracts, leases, purchases paid to it) that comes from customers it funded: customers reached
from the vendor by a path that starts with its own equity or loan and follows any money edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd

FUNDING = frozenset({"equity", "loan"})
REVENUE = frozenset({"contract", "lease", "purchase"})


@dataclass(frozen=True, slots=True)
class Cycle:
    nodes: tuple[str, ...]
    edges: tuple[tuple[str, str, float], ...]

    @property
    def bottleneck_usd(self) -> float:
        return min(amount for _, _, amount in self.edges)


def money_graph(agreements: pd.DataFrame) -> nx.DiGraph:
    graph = nx.DiGraph()
    for row in _rows(agreements):
        if not row["payee"]:
            continue
        payers = list(row["payers"])
        for payer in payers:
            amount = float(row["amount_usd"]) / len(payers)
            if graph.has_edge(payer, row["payee"]):
                graph[payer][row["payee"]]["amount_usd"] += amount
                graph[payer][row["payee"]]["kinds"].add(row["kind"])
            else:
                graph.add_edge(payer, row["payee"], amount_usd=amount, kinds={row["kind"]})
    return graph


def _rows(agreements: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in agreements.to_dict("records")]


def cycles(agreements: pd.DataFrame, max_length: int = 6) -> list[Cycle]:
    """Every simple cycle of at most ``max_length`` entities, largest bottleneck first."""
    graph = money_graph(agreements)
    found = []
    for loop in nx.simple_cycles(graph, length_bound=max_length):
        start = loop.index(min(loop))
        loop = loop[start:] + loop[:start]  # a canonical rotation, so output is stable
        edges = tuple(
            (a, b, float(graph[a][b]["amount_usd"]))
            for a, b in zip(loop, loop[1:] + loop[:1], strict=True)
        )
        found.append(Cycle(tuple(loop), edges))
    return sorted(found, key=lambda c: (-c.bottleneck_usd, c.nodes))


def circular_shares(agreements: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Vendor -> revenue, circular revenue and share (vendors with contracted revenue only)."""
    graph = money_graph(agreements)
    revenue: dict[str, dict[str, float]] = {}
    for row in _rows(agreements):
        if row["kind"] not in REVENUE or not row["payee"]:
            continue
        payers = list(row["payers"])
        for payer in payers:
            by_customer = revenue.setdefault(str(row["payee"]), {})
            by_customer[payer] = by_customer.get(payer, 0.0) + float(row["amount_usd"]) / len(
                payers
            )
    result: dict[str, dict[str, Any]] = {}
    for vendor, by_customer in sorted(revenue.items()):
        funded = _funded(graph, vendor)
        total = sum(by_customer.values())
        circular = sum(v for c, v in by_customer.items() if c in funded)
        result[vendor] = {
            "revenue_usd": total,
            "circular_usd": circular,
            "share": circular / total if total else 0.0,
            "funded_customers": sorted(c for c in by_customer if c in funded),
        }
    return result


def _funded(graph: nx.DiGraph, vendor: str) -> set[str]:
    funded: set[str] = set()
    for _, first in graph.out_edges(vendor):
        if graph[vendor][first]["kinds"] & FUNDING:
            funded |= {first} | nx.descendants(graph, first)
    funded.discard(vendor)
    return funded


def funded_customers(agreements: pd.DataFrame) -> dict[str, set[str]]:
    """Vendor -> the entities its own equity or loans reach (its possible circular customers)."""
    graph = money_graph(agreements)
    return {str(vendor): _funded(graph, str(vendor)) for vendor in graph.nodes}
