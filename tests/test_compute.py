"""Compute: 6ND, GPU-hours and cost; the DeepSeek-V3 and Llama 3.1 405B worked checks."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from stargate.capacity import CapacityError
from stargate.cli import app
from stargate.compute import gpu_hours, train, training_flop


def test_deepseek_v3() -> None:
    """6 × 37e9 × 14.8e12 FLOP; 2.788M GPU-hours at $2 = $5.576M (arXiv 2412.19437)."""
    run = train(active_params=37e9, tokens=14.8e12, hours=2.788e6, price_per_gpu_hour=2.0)
    assert run.flop == pytest.approx(3.2856e24)
    assert run.cost_usd == pytest.approx(5.576e6)
    # over the 2.664M pre-training hours that is ~35% of H800 BF16 peak
    utilisation = 3.2856e24 / (2.664e6 * 3600 * 9.89e14)
    assert utilisation == pytest.approx(0.346, abs=0.002)


def test_llama_3_1_405b() -> None:
    """6 × 405e9 × 15.6e12 ≈ 3.8e25 FLOP; 30.84M H100-hours ≈ 35% effective utilisation."""
    assert training_flop(405e9, 15.6e12) == pytest.approx(3.79e25, rel=1e-3)
    hours = gpu_hours(3.8e25, "H100", "bf16", 0.346)
    assert hours == pytest.approx(30.84e6, rel=0.01)


def test_defaults_are_listed() -> None:
    run = train(active_params=1e9, tokens=1e12)
    assert run.gpu_hours == pytest.approx(6e21 / (9.89e14 * 0.375 * 3600))
    text = " ".join(run.assumptions)
    assert "chip H100 (default)" in text
    assert "MFU 0.375 (default)" in text
    assert "$2 per GPU-hour" in text


@given(st.floats(0.05, 0.95), st.floats(0.05, 0.95))
def test_gpu_hours_fall_as_mfu_rises(low: float, high: float) -> None:
    low, high = sorted((low, high))
    assert gpu_hours(1e24, "H100", "bf16", high) <= gpu_hours(1e24, "H100", "bf16", low)


def test_fp8_halves_hopper_gpu_hours() -> None:
    assert gpu_hours(1e24, "H100", "fp8", 0.4) == pytest.approx(
        gpu_hours(1e24, "H100", "bf16", 0.4) / 2, rel=0.01
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"active_params": 1e9},
        {"hours": -1.0},
        {"active_params": 1e9, "tokens": 1e12, "mfu": 1.5},
    ],
)
def test_bad_inputs(kwargs: dict) -> None:
    with pytest.raises(CapacityError):
        train(**kwargs)


def test_compute_train_command_contract() -> None:
    args = ["compute", "train", "--active-params", "37e9", "--tokens", "14.8e12",
            "--gpu-hours", "2788000", "--price-per-gpu-hour", "2", "--json"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) == {"flop", "gpu_hours", "cost_usd", "assumptions"}
    assert data["cost_usd"] == pytest.approx(5.576e6)
    bad = CliRunner().invoke(app, ["compute", "train", "--tokens", "1e12", "--json"])
    assert bad.exit_code == 2
