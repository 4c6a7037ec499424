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
