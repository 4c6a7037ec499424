"""``stargate clear``: the JSON contract, the three input forms, and bad network files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from stargate.cli import app

E5 = {
    "nodes": ["bank1", "bank2", "bank3"],
    "liabilities": [[0, 4, 0], [0, 0, 3], [2, 0, 0]],
    "external_assets": [18, 18, 9],
    "external_liabilities": [17, 18, 8],
    "external_seniority": "senior",
}
CONTRACT = {
    "method", "nodes", "payments", "defaulted", "equity", "recovery_rate", "default_wave", "rounds"
}  # fmt: skip


def clear(*args: str) -> tuple[int, dict, str]:
    result = CliRunner().invoke(app, ["clear", *args], catch_exceptions=False)
    data = json.loads(result.stdout) if result.exit_code == 0 and "--json" in args else {}
    return result.exit_code, data, result.stderr


def write(tmp_path: Path, data: object, name: str = "net.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return str(path)


def test_json_contract_on_e5(tmp_path: Path) -> None:
    code, data, _ = clear(write(tmp_path, E5), "--method", "eisenberg_noe", "--json")
    assert code == 0
    assert set(data) >= CONTRACT
    assert data["payments"] == [3, 3, 2]
    assert data["equity"] == [-1, 0, 2]
    assert data["defaulted"] == [True, False, False]
    assert data["default_wave"] == [1, None, None]
    code, data, _ = clear(write(tmp_path, E5), "--method", "furfine", "--json")
    assert data["equity"] == [-3, -3, -1]
    assert data["default_wave"] == [1, 2, 3]
    assert data["rounds"] == 3


def test_edges_and_csv_forms_agree_with_the_matrix(tmp_path: Path) -> None:
    edges = {k: v for k, v in E5.items() if k != "liabilities"} | {
        "edges": [
            {"from": "bank1", "to": "bank2", "amount": 4},
            {"from": "bank2", "to": "bank3", "amount": 3},
            {"from": "bank3", "to": "bank1", "amount": 2},
        ]
    }
    _, from_matrix, _ = clear(write(tmp_path, E5), "--method", "rogers_veraart", "--json")
    _, from_edges, _ = clear(
        write(tmp_path, edges, "e.json"), "--method", "rogers_veraart", "--json"
    )
    nodes = write(tmp_path, "name,external_assets,external_liabilities\nbank1,18,17\n"
                  "bank2,18,18\nbank3,9,8\n", "nodes.csv")  # fmt: skip
    edge_csv = write(tmp_path, "from,to,amount\nbank1,bank2,4\nbank2,bank3,3\nbank3,bank1,2\n",
                     "edges.csv")  # fmt: skip
    _, from_csv, _ = clear(
        "--nodes", nodes, "--edges", edge_csv, "--external-seniority", "senior",
        "--method", "rogers_veraart", "--json",
    )  # fmt: skip
    assert from_matrix["payments"] == from_edges["payments"] == from_csv["payments"] == [3, 3, 2]


def test_debtrank_adds_h_and_debtrank(tmp_path: Path) -> None:
    network = {
        "nodes": ["a", "b", "c"],
        "edges": [  # E1: a lends b 1; b lends a 10 and c 3; c lends a 3 and b 2
            {"from": "b", "to": "a", "amount": 1},
            {"from": "a", "to": "b", "amount": 10},
            {"from": "c", "to": "b", "amount": 3},
            {"from": "a", "to": "c", "amount": 3},
            {"from": "b", "to": "c", "amount": 2},
        ],
        "external_assets": [0, 0, 0],
        "equity": [2, 5, 2],
        "weights": [10, 100, 30],
        "shock": [0.1, 0.1, 0.1],
    }
    code, data, _ = clear(write(tmp_path, network), "--method", "debtrank", "--json")
    assert code == 0
    assert data["h"] == pytest.approx([0.15, 0.26, 0.30])
    assert data["debtrank"] == pytest.approx(9 / 56)
    code, data, _ = clear(write(tmp_path, network), "--method", "debtrank", "--uncapped", "--json")
    assert data["h"] == pytest.approx([0.15, 0.36, 0.35])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "not valid JSON"),
        ({"nodes": ["a"]}, "exactly one of 'liabilities' or 'edges'"),
        (E5 | {"liabilities": [[0, 1], [1, 0]]}, "'liabilities' must be 3 rows"),
        (E5 | {"liabilities": [[0, -4, 0], [0, 0, 3], [2, 0, 0]]}, "non-negative"),
        (E5 | {"external_assets": [1, 2]}, "'external_assets' must be a list of 3"),
        (E5 | {"alpha": 2}, "alpha must be in [0, 1]"),
        (E5 | {"external_seniority": "junior"}, "junior"),
        (
            {k: v for k, v in E5.items() if k != "liabilities"}
            | {"edges": [{"from": "bank1", "to": "zed", "amount": 1}]},
            "unknown node 'zed'",
        ),
        ([1, 2, 3], "expected a JSON object"),
    ],
)
def test_bad_network_files(tmp_path: Path, data: object, message: str) -> None:
    code, _, stderr = clear(write(tmp_path, data), "--method", "eisenberg_noe", "--json")
    assert code == 2
    assert message in stderr
    assert "net.json" in stderr or "alpha" in stderr or "junior" in stderr


def test_needs_a_network() -> None:
    code, _, stderr = clear("--method", "furfine")
    assert code == 2
    assert "NETWORK.json" in stderr
