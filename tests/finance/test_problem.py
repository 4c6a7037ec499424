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


# -- hostile inputs (issue 15, item 5) --------------------------------------------------------

HOSTILE = Path(__file__).parents[1] / "fixtures" / "hostile" / "clear"
HOSTILE_JSON = [
    ("unknown-key.json", "unknown key(s) 'alpah'"),
    ("edge-unknown-key.json", "edge 1: unknown key(s) 'amout'"),
    ("nan.json", "NaN is not a number JSON allows"),
    ("infinity.json", "Infinity is not a number JSON allows"),
    ("minus-infinity.json", "-Infinity is not a number JSON allows"),
    ("e308.json", "'liabilities row 1' holds an amount beyond ±1e+15"),
    ("beyond-domain.json", "'liabilities row 1' holds an amount beyond ±1e+15"),
    ("int400.json", "'liabilities row 1' must hold 2 finite numbers"),
    ("edge-int400.json", "edge 1: 'amount' must be finite"),
    ("bool-amount.json", "'liabilities row 1' must hold numbers only"),
    ("string-amount.json", "'liabilities row 1' must hold numbers only"),
    ("nested-amount.json", "'liabilities row 1' must hold numbers only"),
    ("list-node.json", "edge 1: unknown node a JSON list in 'from'"),
    ("string-alpha.json", "'alpha' must be a number in [0, 1]"),
    ("bool-alpha.json", "'alpha' must be a number in [0, 1]"),
    ("string-flag.json", "'default_at_zero' must be true or false"),
    ("number-seniority.json", "'external_seniority' must be 'pari_passu' or 'senior'"),
    ("number-nodes.json", "'nodes' must be a non-empty list of names"),
    ("not-utf8.json", "not UTF-8"),
    ("scalar.json", "expected a JSON object"),
]
HOSTILE_CSV = [
    ("nodes-unknown-column.csv", "edges-good.csv", "unknown column(s) 'colour'"),
    ("nodes-short-row.csv", "edges-good.csv", "row 3: not 2 cells"),
    ("nodes-long-row.csv", "edges-good.csv", "row 2: not 2 cells"),
    ("nodes-inf.csv", "edges-good.csv", "row 2: 'external_assets' must be finite"),
    ("nodes-nan.csv", "edges-good.csv", "row 2: 'external_assets' must be finite"),
    ("nodes-beyond-domain.csv", "edges-good.csv", "'external_assets' is beyond ±1e+15"),
    ("nodes-good.csv", "edges-unknown-column.csv", "unknown column(s) 'note'"),
    ("nodes-good.csv", "edges-nul.csv", "row 2: 'amount' is not a number: '1\\x00'"),
    ("nodes-good.csv", "edges-short-row.csv", "row 2: not 3 cells"),
]


@pytest.mark.parametrize(("name", "message"), HOSTILE_JSON)
@pytest.mark.parametrize("method", ["eisenberg_noe", "debtrank"])
def test_hostile_network_files_get_a_clear_error(name: str, message: str, method: str) -> None:
    code, _, stderr = clear(str(HOSTILE / name), "--method", method, "--json")
    assert code == 2
    assert stderr.startswith(f"error: {HOSTILE / name}: ")
    assert message in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(("nodes", "edges", "message"), HOSTILE_CSV)
def test_hostile_csv_files_get_a_clear_error(nodes: str, edges: str, message: str) -> None:
    code, _, stderr = clear("--nodes", str(HOSTILE / nodes), "--edges", str(HOSTILE / edges),
                            "--method", "furfine", "--json")  # fmt: skip
    assert code == 2
    assert message in stderr
    assert "Traceback" not in stderr


def test_every_hostile_network_file_is_tried() -> None:
    used = {n for n, _ in HOSTILE_JSON} | {f for n, e, _ in HOSTILE_CSV for f in (n, e)}
    assert {p.name for p in HOSTILE.iterdir()} == used


def test_the_good_csv_pair_clears() -> None:
    nodes, edges = str(HOSTILE / "nodes-good.csv"), str(HOSTILE / "edges-good.csv")
    code, data, _ = clear("--nodes", nodes, "--edges", edges, "--method", "furfine", "--json")
    assert code == 0
    assert data["nodes"] == ["a", "b"]


@pytest.mark.parametrize("depth", [50, 900, 100_000])
def test_deep_nesting_is_refused_cleanly(tmp_path: Path, depth: int) -> None:
    nested = "[" * depth + "]" * depth
    path = write(tmp_path, f'{{"nodes": {nested}, "external_assets": [1]}}')
    code, _, stderr = clear(path, "--method", "eisenberg_noe", "--json")
    assert code == 2
    assert "net.json" in stderr
    assert "nested too deeply" in stderr or "'nodes' must be a non-empty list" in stderr


def test_too_many_nodes_are_refused(tmp_path: Path) -> None:
    from stargate.finance.problem import MAX_NODES

    names = [f"n{i}" for i in range(MAX_NODES + 1)]
    path = write(tmp_path, {"nodes": names, "edges": [], "external_assets": [1] * len(names)})
    code, _, stderr = clear(path, "--method", "eisenberg_noe", "--json")
    assert code == 2
    assert f"{MAX_NODES + 1:,} nodes; at most {MAX_NODES:,}" in stderr


def test_the_largest_amounts_clear_to_finite_json(tmp_path: Path) -> None:
    """At the domain's edge (1e15), every reported figure is a finite number: no `Infinity`,
    no NaN, no `null` standing for an overflow."""
    big = 1e15
    network = {"nodes": ["a", "b", "c"],
               "liabilities": [[0, big, big], [big, 0, big], [big, big, 0]],
               "external_assets": [big, 0, big], "external_liabilities": [big, big, big],
               "equity": [big, big, big], "shock": [1, 1, 1]}  # fmt: skip
    for method in ("eisenberg_noe", "rogers_veraart", "furfine", "debtrank"):
        result = CliRunner().invoke(app, ["clear", write(tmp_path, network), "--method", method,
                                          "--json"])  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "Infinity" not in result.stdout
        assert "NaN" not in result.stdout
        data = json.loads(result.stdout)
        for key in ("payments", "equity"):
            assert all(isinstance(v, float | int) for v in data[key]), (method, key, data[key])
