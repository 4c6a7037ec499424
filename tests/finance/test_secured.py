"""Secured funding from resolved claims: the policies, the draws, the reference-run median, and
the simulator paying a backer's pledges from it before its cash."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from stargate.finance import secured
from stargate.finance.draws import draw, median_draws
from stargate.finance.model import build_model
from stargate.finance.scenarios import Scenario
from stargate.finance.simulate import simulate
from stargate.ledger.records import Entity, EntityType
from stargate.world.curated import Agreement, Curated
from stargate.world.resolve import Component, Proposition, Resolved
from stargate.world.world import build_world

from .reference_simulation import simulate_one
from .test_simulate import BEFORE, SOURCE, finance

B = Decimal(10) ** 9


def disputed(entity: str = "backer") -> Resolved:
    """A sceptic's "at most 10B secured" (weight 2/3) against a denial (weight 1/3)."""
    return Resolved(
        proposition=Proposition((entity,), None, "funding_secured", "USD", "total", None),
        state="disputed", low=Decimal(0), high=10 * B, value=10 * B,
        components=(Component(None, 10 * B, 2 / 3, ("sceptic",)),
                    Component(None, None, 1 / 3, ("denial",), denial=True)),
        supporting=("sceptic",), dissenting=("denial",),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("policy", "low", "high", "middle"),
    [("low", 0, 0, 0), ("high", 10e9, 10e9, 10e9), ("display", 10e9, 10e9, 10e9),
     ("mixture", 0, 10e9, 7.5e9)],
)  # fmt: skip
def test_policies(policy: str, low: float, high: float, middle: float) -> None:
    figs = secured.figures([disputed()], "backer", policy)
    assert len(figs) == 1
    assert min(p.low for p in figs[0]) == low
    assert max(p.high for p in figs[0]) == high
    assert secured.median(figs) == pytest.approx(middle, rel=1e-6)
    assert secured.figures([disputed()], "someone-else", policy) == ()


def test_a_mixture_draws_each_component_with_its_weight() -> None:
    figs = secured.figures([disputed()], "backer", "mixture")
    values = secured.draw(figs, 60_000, np.random.default_rng(3))
    assert secured.quantile(figs[0], np.array([0.5]))[0] == pytest.approx(7.5e9)  # the median
    at_ceiling = np.mean(values == 10e9)  # the denial's share, taken at the sceptic's ceiling
    assert at_ceiling == pytest.approx(1 / 3, abs=0.01)
    below = values[values < 10e9]
    assert below.min() >= 0
    assert np.mean(below) == pytest.approx(5e9, rel=0.02)
    with pytest.raises(ValueError, match="unknown policy"):
        secured.figures([disputed()], "backer", "median")


def pledge_world(resolved: tuple[Resolved, ...]) -> object:
    """A backer with no cash pledges 10B a year for two years to a venture."""
    entities = [Entity("backer", "Backer", EntityType.COMPANY, role="investor"),
                Entity("venture", "Venture", EntityType.PROJECT, role="builder")]  # fmt: skip
    pledge = Agreement(id="pledge", name="equity", kind="equity", payer=["backer"],
                       payee="venture", amount_usd=20e9, annual_usd=10e9, start="2025", years=2,
                       sources=["test"])  # fmt: skip
    finances = (finance("backer"), finance("venture"))
    curated = Curated(agreements=(pledge,), sites=(), finances=finances, sources={"test": SOURCE})
    return build_world(entities, curated, resolved)


def pledge_scenario(policy: str, disputed_policy: str = "mixture") -> Scenario:
    return Scenario.model_validate({
        "name": "pledge", "description": "a backer's secured funding", "horizon": [2025, 2026],
        "interest_rate": {"p5": 0, "p95": 0}, "disputed": disputed_policy,
        "contracts": {"deferral": {"max_share": 0.0}},
        "funding": [{"entity": "backer", "secured_from_claims": policy}],
    })  # fmt: skip


@pytest.mark.parametrize(
    ("policy", "disputed_policy", "shortfall"),
    [("low", "mixture", 20e9), ("high", "mixture", 10e9), ("default", "high", 10e9),
     ("default", "low", 20e9), ("mixture", "low", 12.5e9)],
)  # fmt: skip
def test_secured_funding_pays_the_pledges_first(
    policy: str, disputed_policy: str, shortfall: float
) -> None:
    """Reference run: the pot is the policy's median (mixture: 7.5B), spent on the first year's
    10B pledge; what it cannot cover is the venture's funding shortfall."""
    world = pledge_world((disputed(),))
    model = build_model(world, pledge_scenario(policy, disputed_policy), as_of=BEFORE)  # type: ignore[arg-type]
    out = simulate(model, median_draws(model))
    gaps = dict(zip(model.nodes, out.funding_shortfall_usd[0], strict=True))
    assert gaps["venture"] == pytest.approx(shortfall)
    assert out.default_year[0].tolist() == [0, 0]  # an unpaid pledge is not a default


def test_no_claims_means_no_secured_funding() -> None:
    model = build_model(pledge_world(()), pledge_scenario("high"), as_of=BEFORE)  # type: ignore[arg-type]
    out = simulate(model, median_draws(model))
    assert dict(zip(model.nodes, out.funding_shortfall_usd[0], strict=True))["venture"] == 20e9


def test_vectorised_equals_the_reference_with_a_secured_pot() -> None:
    model = build_model(pledge_world((disputed(),)), pledge_scenario("mixture"), as_of=BEFORE)  # type: ignore[arg-type]
    draws = draw(model, 40, seed=11)
    assert draws.secured is not None
    assert draws.secured[:, model.nodes.index("backer")].any()
    batch = simulate(model, draws)
    for s in range(draws.scenarios):
        one = simulate_one(model, draws, s)
        assert np.allclose(batch.funding_shortfall_usd[s], one.funding_shortfall_usd[0])
        assert batch.default_year[s].tolist() == one.default_year[0].tolist()
