"""What new evidence would do to the stress results: the same scenario run on the World before
and after pending review items are accepted, with the same seed.

Both runs draw from the same seed, so the comparison uses common random numbers as far as the
simulator's draws are keyed by what they are about (see ``docs/methods.md``): entities the new
evidence does not touch see the same draws, and their differences are the evidence's effect,
not Monte Carlo noise.
"""

from __future__ import annotations

from typing import Any

from stargate.finance.model import build_model
from stargate.finance.montecarlo import run
from stargate.finance.scenarios import load_scenario
from stargate.world.world import World


def stress_summary(world: World, scenario_name: str, scenarios: int | None, seed: int | None
                   ) -> dict[str, Any]:  # fmt: skip
    """The stress JSON of ``world`` under a scenario (built-in name or file)."""
    scenario = load_scenario(scenario_name)
    model = build_model(world, scenario)
    result = run(
        model, world.agreements, name=scenario.name, scenarios=scenarios or scenario.scenarios,
        seed=scenario.seed if seed is None else seed,
    )  # fmt: skip
    report: dict[str, Any] = result.to_json()
    return report


def compare(
    before: World, after: World, scenario_name: str, scenarios: int | None = None,
    seed: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Each entity's probability of default and mean loss before and after, and the change."""
    first = stress_summary(before, scenario_name, scenarios, seed)
    second = stress_summary(after, scenario_name, scenarios, seed)
    entities = {}
    for entity in sorted(set(first["entities"]) | set(second["entities"])):
        a = first["entities"].get(entity, {})
        b = second["entities"].get(entity, {})
        p_a, p_b = a.get("p_default", 0.0), b.get("p_default", 0.0)
        l_a, l_b = a.get("loss_mean_usd", 0.0), b.get("loss_mean_usd", 0.0)
        r_a, r_b = a.get("received_mean_usd", 0.0), b.get("received_mean_usd", 0.0)
        entities[entity] = {
            "p_default_before": p_a, "p_default_after": p_b, "p_default_change": p_b - p_a,
            "loss_mean_usd_before": l_a, "loss_mean_usd_after": l_b,
            "loss_mean_usd_change": l_b - l_a, "received_mean_usd_before": r_a,
            "received_mean_usd_after": r_b, "received_mean_usd_change": r_b - r_a,
        }  # fmt: skip
    return {"scenario": first["scenario"], "scenarios": first["scenarios"],
            "seed": first["seed"], "entities": entities}  # fmt: skip
