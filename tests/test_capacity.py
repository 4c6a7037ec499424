"""Capacity: the worked checks of shared/reference/capacity-and-compute.md §B7 and invariants."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from stargate.capacity import CapacityError, capacity, chip, chips, power_for
from stargate.cli import app


def test_chips_table_has_the_required_chips_with_sources() -> None:
    names = {c.name for c in chips().values()}
    assert {
        "A100",
        "H100",
        "H800",
        "H200",
        "B200",
        "GB200",
        "GB300",
        "MI300X",
        "Trainium2",
    } <= names
    for spec in chips().values():
        assert spec.source
        assert spec.it_power_w_p5 <= spec.it_power_w <= spec.it_power_w_p95
        assert spec.h100e == pytest.approx(spec.fp8_flops / 1.979e15, rel=0.02)


def test_one_gigawatt_of_gb200() -> None:
    """§B7 check 4: ~478k GPUs and ~1.21M H100e in 1 GW of IT power."""
    result = capacity(1.0, "GB200", basis="it")
    assert result.accelerators == pytest.approx(478_469, rel=1e-4)
    assert result.h100e == pytest.approx(1.209e6, rel=1e-3)
    assert result.it_power_w == 1e9
    assert result.facility_power_w > result.it_power_w
    assert 29e9 <= result.capex_usd.p50 <= 50e9


def test_hundred_thousand_h100() -> None:
    """§B7 check 3: about 150 MW of IT power for 100k H100."""
    it_w, facility_w = power_for(100_000, "H100", pue=1.25)
    assert it_w == pytest.approx(145.3e6)
    assert facility_w == pytest.approx(181.6e6, rel=1e-3)


def test_facility_basis_divides_by_pue() -> None:
    it = capacity(1.0, "H100", basis="it", pue=1.2)
    facility = capacity(1.2, "H100", basis="facility", pue=1.2)
    assert facility.accelerators == pytest.approx(it.accelerators)
    assert facility.energy_twh_per_year == pytest.approx(1.2 * 8766 / 1000)


def test_an_uncertain_pue_widens_capex() -> None:
    fixed = capacity(1.0, "H100", basis="facility", pue=1.24)
    prior = capacity(1.0, "H100", basis="facility")
    assert prior.capex_usd.p95 / prior.capex_usd.p5 > fixed.capex_usd.p95 / fixed.capex_usd.p5


@given(st.floats(0.01, 50), st.floats(1.0, 3.0), st.sampled_from(sorted(chips())))
def test_invariants(power_gw: float, pue: float, name: str) -> None:
    result = capacity(power_gw, name, basis="it", pue=pue)
    assert result.facility_power_w >= result.it_power_w
    assert result.capex_usd.p5 <= result.capex_usd.p50 <= result.capex_usd.p95
    more = capacity(power_gw * 2, name, basis="it", pue=pue)
    assert more.accelerators == pytest.approx(2 * result.accelerators)


@pytest.mark.parametrize(
    ("args", "message"),
    [((1.0, "TPUv9"), "unknown chip"), ((0.0, "H100"), "positive"), ((-1.0, "H100"), "positive")],
)
def test_bad_inputs(args: tuple, message: str) -> None:
    with pytest.raises(CapacityError, match=message):
        capacity(*args)


def test_capacity_command_contract() -> None:
    result = CliRunner().invoke(app, ["capacity", "--power-gw", "1", "--chip", "GB200", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {"accelerators", "h100e", "it_power_w", "facility_power_w", "energy_twh_per_year",
            "capex_usd"} <= set(data)  # fmt: skip
    assert set(data["capex_usd"]) == {"p5", "p50", "p95"}
    bad = CliRunner().invoke(app, ["capacity", "--power-gw", "1", "--chip", "nope", "--json"])
    assert bad.exit_code == 2
    assert "unknown chip" in bad.stderr
    assert chip("h100").name == "H100"
