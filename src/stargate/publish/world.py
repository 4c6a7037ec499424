"""Export the World: one JSON file, a folder of CSVs, GraphML of the money graph, or
FollowTheMoney-style entity JSON lines."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import networkx as nx

from stargate.analysis.circularity import money_graph
from stargate.errors import StargateError
from stargate.jsonable import jsonable
from stargate.publish.sqlite import flat
from stargate.world.world import SCHEMA, World

FORMATS = ("json", "csv", "graphml", "ftm")


def to_json(world: World) -> dict[str, Any]:
    return {
        "schema": world.schema(),
        "tables": {
            name: [jsonable(row) for row in frame.to_dict("records")]
            for name, frame in world.tables.items()
        },
    }


def export(world: World, fmt: str, out: Path) -> list[Path]:
    """Write the world in ``fmt``; returns the files written."""
    if fmt == "json":
        out.write_text(json.dumps(to_json(world), ensure_ascii=False, indent=1), encoding="utf-8")
        return [out]
    if fmt == "csv":
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, frame in world.tables.items():
            flat(frame).to_csv(out / f"{name}.csv", index=False)
            written.append(out / f"{name}.csv")
        schema_rows = [{"table": t, **asdict(c)} for t, columns in SCHEMA.items() for c in columns]
        (out / "schema.json").write_text(json.dumps(schema_rows, indent=1), encoding="utf-8")
        return [*written, out / "schema.json"]
    if fmt == "graphml":
        graph = money_graph(world.agreements)
        names = dict(zip(world.entities["id"], world.entities["name"], strict=True))
        for node in graph.nodes:
            graph.nodes[node]["name"] = names.get(node, node)
        for _, _, data in graph.edges(data=True):
            data["kinds"] = ",".join(sorted(data["kinds"]))
        nx.write_graphml(graph, out)
        return [out]
    if fmt == "ftm":
        lines = []
        for row in world.entities.to_dict("records"):
            schema = {"person": "Person", "project": "Project", "government": "PublicBody"}.get(
                row["type"], "Company" if row["type"] in {"company", "fund"} else "Organization"
            )
            lines.append({"id": row["id"], "schema": schema, "properties": {"name": [row["name"]]}})
        for row in world.agreements.to_dict("records"):
            props: dict[str, list[Any]] = {
                "name": [row["name"]], "amount": [row["amount_usd"]], "currency": ["USD"],
                "payer": list(row["payers"]), "publisher": list(row["sources"]),
            }  # fmt: skip
            if row["payee"]:
                props["beneficiary"] = [row["payee"]]
            lines.append({"id": row["id"], "schema": "Payment" if row["kind"] in {"equity", "loan"}
                          else "Contract", "properties": props})  # fmt: skip
        out.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
                       encoding="utf-8")  # fmt: skip
        return [out]
    raise StargateError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
