"""Scenario files: the built-in scenarios, inheritance, and errors that name the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from stargate.finance.scenarios import (
    ScenarioError,
    builtin_scenarios,
    check_against,
    load_scenario,
    members,
)
from stargate.world.world import curated_world

BUILTIN = {"baseline", "demand-shortfall", "softbank-short", "nvidia-steps-back", "power-crunch",
           "bubble-bursts"}  # fmt: skip


def world_names() -> tuple[dict[str, str | None], set[str]]:
    world = curated_world()
    roles = dict(zip(world.entities["id"], world.entities["role"], strict=True))
    return roles, set(world.agreements["id"])


def test_builtins_load_and_name_only_what_exists() -> None:
    assert set(builtin_scenarios()) == BUILTIN
    roles, agreements = world_names()
    for name in BUILTIN:
        scenario = load_scenario(name)
        assert scenario.name == name
        assert scenario.notes, f"{name} must say where its numbers come from"
        check_against(scenario, roles, agreements)


def test_bubble_bursts_combines_its_parents() -> None:
    scenario = load_scenario("bubble-bursts")
    assert [s.name for s in scenario.demand.shocks] == ["AI revenue -50% from 2027"]
    targets = {r.agreement or r.entity for r in scenario.funding}
    assert {"softbank", "nvidia-coreweave-backstop", "nvidia-anthropic",
            "nvidia-coreweave-equity", "coreweave-nvidia-gpus"} <= targets  # fmt: skip
    stopped = [
        r.probability for r in scenario.funding if r.agreement == "nvidia-coreweave-backstop"
    ]
    assert stopped == [1, 0]  # the baseline binds it, nvidia-steps-back (later) drops it
    assert (scenario.delivery.delay_years.p5, scenario.delivery.delay_years.p95) == (1, 3)
    assert scenario.clearing.method == "rogers_veraart"
    assert scenario.years == list(range(2026, 2036))
    # a change one parent makes is not undone by another parent's copy of the baseline
    assert (scenario.demand.level.p5, scenario.demand.level.p95) == (0.25, 0.8)
    assert scenario.capital.access == {"softbank": 0.33}
    assert scenario.capital.shift == -1.0


def test_groups_name_entities_by_role() -> None:
    roles, _ = world_names()
    labs = members("labs", roles)
    assert {"openai", "xai", "anthropic"} <= set(labs)
    assert members("oracle", roles) == ["oracle"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\ndescription: y\nhorizon: [2025, 2032]\ndemnd: {}\n", "field 'demnd'"),
        ("name: x\ndescription: y\nhorizon: [2032, 2025]\n", "horizon must be"),
        ("name: x\ndescription: y\nhorizon: [2025, 2032]\ndemand:\n  shocks:\n"
         "    - {name: s, applies_to: labs, from: 2027, factor: -1}\n",
         "field 'demand.shocks.0.factor'"),
        ("name: x\ndescription: y\nhorizon: [2025, 2032]\nfunding:\n  - {probability: 0.5}\n",
         "field 'funding.0'"),
        ("name: x\ndescription: y\nhorizon: [2025, 2032]\ninterest_rate: {p5: 0.1, p95: 0.05}\n",
         "field 'interest_rate'"),
        ("name: x\nhorizon: [2025, 2032]\n", "field 'description'"),
        ("name: [unclosed\n", "not valid YAML"),
        ("- a list\n", "a scenario is a mapping"),
    ],
)  # fmt: skip
def test_errors_name_the_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_unknown_names_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no scenario 'nope'"):
        load_scenario("nope")
    path = tmp_path / "s.yaml"
    text = "name: s\ndescription: d\nextends: baseline\nfunding:\n"
    text += "  - {agreement: made-up-deal, probability: 0.5}\n"
    path.write_text(text, encoding="utf-8")
    roles, agreements = world_names()
    with pytest.raises(ScenarioError, match=r"field 'funding\.13\.agreement': unknown agreement"):
        check_against(load_scenario(path), roles, agreements)
    loop = tmp_path / "loop.yaml"
    loop.write_text(f"name: l\ndescription: d\nextends: {loop}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="extends itself"):
        load_scenario(loop)


def test_rules_inherited_through_two_parents_count_once() -> None:
    from stargate.finance.scenarios import load_scenario

    rules = load_scenario("bubble-bursts").funding
    softbank = [r.secured_from_claims for r in rules if r.entity == "softbank"]
    assert softbank == ["default", "low"]  # baseline's once, then softbank-short's (last wins)
    assert len(rules) == len(set(rules))


def test_the_bubble_bursting_is_worse_than_the_baseline() -> None:
    """For OpenAI, Oracle, CoreWeave and SoftBank, bubble-bursts defaults at least as often as
    the baseline, and total losses (what defaulters still owe, beyond the horizon too) are
    higher; softbank-short is worse for SoftBank (its name says so)."""
    from datetime import date

    from stargate.finance.model import build_model
    from stargate.finance.montecarlo import run

    world = curated_world(date(2026, 12, 1))
    results = {}
    for name in ("baseline", "bubble-bursts", "softbank-short"):
        model = build_model(world, load_scenario(name))
        results[name] = run(model, world.agreements, name=name, scenarios=1_500, seed=4).to_json()
    base, burst = results["baseline"], results["bubble-bursts"]
    for entity in ("openai", "oracle", "coreweave", "softbank"):
        assert burst["entities"][entity]["p_default"] >= base["entities"][entity]["p_default"]
        assert 0 < base["entities"][entity]["p_default_5y"] < 1  # never exactly 0 or 1
    assert burst["total_loss_usd"]["mean"] > 2 * base["total_loss_usd"]["mean"]
    assert (results["softbank-short"]["entities"]["softbank"]["p_default"]
            > base["entities"]["softbank"]["p_default"])  # fmt: skip


# -- hostile scenario files (issue 15, items 4 and 5) ----------------------------------------

HOSTILE = Path(__file__).parents[1] / "fixtures" / "hostile" / "scenarios"
SECRET = "root:$6$not-a-real-hash:19000:0:99999:7:::"


HOSTILE_CASES = [
        ("nan.yaml", "field 'interest_rate.p5': NaN and infinite"),
        ("inf.yaml", "field 'capex_per_gw_usd.p95': NaN and infinite"),
        ("minus-inf-factor.yaml", "field 'demand.shocks.0.factor': NaN and infinite"),
        ("overflow.yaml", "field 'delivery.gw_per_year_cap': NaN and infinite"),
        ("extends-int.yaml", "field 'extends': give a scenario name or file name"),
        ("extends-list-int.yaml", "field 'extends': give a scenario name or file name"),
        ("extends-mapping.yaml", "(got dict)"),
        ("extends-empty.yaml", "(got an empty name)"),
        ("extends-shadow.yaml", "'/etc/shadow' is neither a built-in scenario"),
        ("extends-passwd.yaml", "'/etc/passwd' is neither a built-in scenario"),
        ("extends-dotdot.yaml", "nor a .yaml file in the scenario's folder"),
        ("extends-sibling-folder.yaml", "nor a .yaml file in the scenario's folder"),
        ("extends-nan-parent.yaml", "nan.yaml: field 'interest_rate.p5'"),
        ("extends-laughs.yaml", "laughs.yaml: over 100,000 values"),
        ("laughs.yaml", "over 100,000 values"),
        ("scenarios-huge.yaml", "field 'scenarios': Input should be less than or equal to 1000"),
        ("seed-negative.yaml", "field 'seed'"),
        ("horizon-huge.yaml", "horizon must be"),
        ("bad-date.yaml", "not valid YAML: month must be in 1..12"),
        ("tab.yaml", "not valid YAML at line 4, column 1"),
        ("python-tag.yaml", "not valid YAML at line 4"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "message"), HOSTILE_CASES)
def test_hostile_scenarios_get_a_clear_error(name: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(HOSTILE / name)
    assert message in str(caught.value)
    assert str(HOSTILE) in str(caught.value)  # the message names the file


def test_every_hostile_scenario_is_tried() -> None:
    assert {p.name for p in HOSTILE.glob("*.yaml")} == {name for name, _ in HOSTILE_CASES}


def test_extends_never_reads_or_echoes_a_file_outside_the_folder(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"  # a YAML file, but outside the scenario's folder
    secret.write_text(f"{SECRET}\n", encoding="utf-8")
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for target in (str(secret), "../secret.yaml", str(secret.with_suffix(""))):
        child = folder / "child.yaml"
        child.write_text(f"name: c\ndescription: d\nhorizon: [2025, 2030]\nextends: {target}\n",
                         encoding="utf-8")  # fmt: skip
        with pytest.raises(ScenarioError, match="field 'extends'") as caught:
            load_scenario(child)
        assert "root:" not in str(caught.value)
    link = folder / "link.yaml"  # a link inside the folder to a file outside it
    link.symlink_to(secret)
    child = folder / "child.yaml"
    child.write_text("name: c\ndescription: d\nhorizon: [2025, 2030]\nextends: link.yaml\n",
                     encoding="utf-8")  # fmt: skip
    with pytest.raises(ScenarioError, match=r"nor a \.yaml file in the scenario") as caught:
        load_scenario(child)
    assert "root:" not in str(caught.value)


def test_extends_files_resolve_against_the_scenarios_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "parent.yaml").write_text(
        "name: p\ndescription: d\nhorizon: [2026, 2030]\nextends: baseline\nseed: 7\n",
        encoding="utf-8",
    )
    (folder / "child.yaml").write_text(
        "name: c\ndescription: d\nextends: parent.yaml\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)  # not the scenario's folder: the name still resolves
    scenario = load_scenario(folder / "child.yaml")
    assert (scenario.name, scenario.seed, scenario.horizon) == ("c", 7, (2026, 2030))
    assert scenario.funding == load_scenario("baseline").funding


def test_a_diamond_of_extends_reads_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """22 files, 11 levels of two that both extend both files below: 2**11 paths, 22 reads."""
    from stargate.finance import scenarios

    levels = 11
    for level in range(levels):
        for side in "ab":
            parents = "baseline" if level == 0 else f"[l{level - 1}a.yaml, l{level - 1}b.yaml]"
            (tmp_path / f"l{level}{side}.yaml").write_text(
                f"name: l{level}{side}\ndescription: d\nextends: {parents}\n"
                f"demand:\n  shocks:\n    - {{name: s{level}, applies_to: labs, from: 2027, "
                f"factor: 0.9}}\n",
                encoding="utf-8",
            )
    reads: list[Path] = []
    real = scenarios._read
    monkeypatch.setattr(scenarios, "_read", lambda p, where: reads.append(p) or real(p, where))
    scenario = load_scenario(tmp_path / f"l{levels - 1}a.yaml")
    assert len(reads) == len(set(reads)) == 2 * levels  # each file once: 21 and baseline
    assert [s.name for s in scenario.demand.shocks] == [f"s{n}" for n in range(levels)]


def test_long_chains_of_extends_are_refused(tmp_path: Path) -> None:
    """1,500 chained files once ended in RecursionError; now the 17th level is refused."""
    count = 1500
    for n in range(count):
        parent = "baseline" if n == 0 else f"c{n - 1}.yaml"
        (tmp_path / f"c{n}.yaml").write_text(
            f"name: c{n}\ndescription: d\nextends: {parent}\n", encoding="utf-8"
        )
    with pytest.raises(ScenarioError, match="more than 16 levels of extends"):
        load_scenario(tmp_path / f"c{count - 1}.yaml")
    assert load_scenario(tmp_path / "c15.yaml").name == "c15"  # 16 levels, the limit, is fine


def test_files_over_the_size_limit_are_refused(tmp_path: Path) -> None:
    from stargate.finance.scenarios import MAX_FILE_BYTES

    path = tmp_path / "big.yaml"
    path.write_text("name: x\ndescription: d\nhorizon: [2025, 2030]\nnotes:\n"
                    + "  - padding\n" * (MAX_FILE_BYTES // 12 + 1), encoding="utf-8")  # fmt: skip
    with pytest.raises(ScenarioError, match="over the 1024 KiB limit"):
        load_scenario(path)


def test_nan_is_refused_from_forms_and_the_api_too() -> None:
    from stargate.finance.scenarios import Scenario

    data = load_scenario("baseline").model_dump(mode="json", by_alias=True)
    data["interest_rate"]["p5"] = float("nan")
    with pytest.raises(ValueError, match=r"field 'interest_rate\.p5': NaN and infinite"):
        Scenario.model_validate(data)


def test_the_command_line_cap_is_the_scenario_cap() -> None:
    from click.testing import CliRunner

    from stargate.cli import app
    from stargate.cli.stress import MAX_SCENARIOS as CLI_CAP
    from stargate.finance.scenarios import MAX_SCENARIOS

    assert CLI_CAP == MAX_SCENARIOS
    result = CliRunner().invoke(app, ["stress", "--scenarios", "99999999999999999999"])
    assert result.exit_code == 2
    assert "1<=x<=10000000" in result.output


@pytest.mark.parametrize("name", ["nan.yaml", "extends-int.yaml", "extends-shadow.yaml"])
def test_stress_reports_bad_scenarios_cleanly(name: str) -> None:
    from click.testing import CliRunner

    from stargate.cli import app

    result = CliRunner().invoke(app, ["stress", str(HOSTILE / name), "--scenarios", "10"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")
    assert name in result.stderr
    assert "Traceback" not in result.output
