"""Every fact of the seed articles is in the World, traced to the seed's own sentence; where a
later source revises it, both figures are there, dated, and the World uses the latest."""

from __future__ import annotations

from typing import Any

import pytest

from stargate.ledger.records import Claim
from stargate.world.curated import bundled
from stargate.world.curation import curated_records, seed_sources
from stargate.world.world import World, curated_world


@pytest.fixture(scope="module")
def world() -> World:
    return curated_world()


@pytest.fixture(scope="module")
def claims() -> dict[str, Claim]:
    return {c.id: c for c in curated_records(bundled(), seed_sources()).claims}


@pytest.fixture(scope="module")
def seeds() -> set[str]:
    return {s.id for s in seed_sources().values()}


def seed_quotes(ids: list[str], claims: dict[str, Claim], seeds: set[str]) -> list[str]:
    return [claims[i].quote for i in ids if i in claims and claims[i].source_id in seeds]


def revisions(world: World, agreement: str, field: str) -> list[dict[str, Any]]:
    table = world.agreement_revisions
    rows = table[(table["agreement_id"] == agreement) & (table["field"] == field)]
    return list(rows.to_dict("records"))


def row(world: World, agreement: str) -> dict[str, Any]:
    found: dict[str, Any] = world.agreements.set_index("id").loc[agreement].to_dict()
    return found


@pytest.mark.parametrize(
    ("agreement", "field", "value", "words", "current"),
    [
        ("stargate-programme", "amount", 500e9, "500 milliards", True),
        ("openai-oracle", "annual", 30e9, "30 milliards", False),
        ("openai-oracle", "annual", 60e9, None, True),
        ("openai-oracle", "capacity", 4.5, "4, 5 GW", True),
        ("openai-oracle", "capacity_added", 4.5, "4, 5 GW supplémentaires", False),
        ("openai-coreweave", "amount", 11.9e9, "11, 9 milliards", False),
        ("openai-coreweave", "amount_added", 4e9, "augmentant de 4 milliards", False),
        ("openai-coreweave", "amount", 22.4e9, None, True),
        ("openai-aws", "amount", 38e9, "38 milliards de dollars sur sept ans", False),
        ("openai-aws", "term", 7, "sur sept ans", False),
        ("openai-aws", "amount", 138e9, None, True),
        ("openai-aws", "term", 8, None, True),
        ("microsoft-openai-equity", "amount", 13e9, "investi 13 milliards", True),
        ("microsoft-capex-2025", "annual", 80e9, "mes 80 milliards sont bons", True),
        ("xai-colossus", "amount", 12e9, "12 milliards de dollars dans un unique site", True),
        ("nvidia-openai-loi", "amount", 100e9, "jusqu’à 100 milliards", True),
        ("stargate-jv", "capacity", 10, "10 GW", True),
    ],
)  # fmt: skip
def test_a_seed_figure_is_in_the_world_with_its_quote(
    world: World, claims: dict[str, Claim], seeds: set[str], agreement: str, field: str,
    value: float, words: str | None, current: bool,
) -> None:  # fmt: skip
    found = [r for r in revisions(world, agreement, field) if r["value"] == pytest.approx(value)]
    assert found, f"{agreement} {field} {value} is not in the World"
    figure = found[0]
    assert bool(figure["current"]) is current
    assert figure["date"]  # every figure is dated
    if words is not None:
        assert any(words in quote for quote in seed_quotes(figure["claims"], claims, seeds))


def test_the_world_uses_the_latest_figures(world: World) -> None:
    assert row(world, "openai-oracle")["annual_usd"] == 60e9
    assert row(world, "openai-oracle")["capacity_gw"] == 4.5
    assert row(world, "openai-coreweave")["amount_usd"] == 22.4e9
    aws = row(world, "openai-aws")
    assert (aws["amount_usd"], aws["term_years"], aws["amount_state"]) == (138e9, 8, "revised")


def test_the_joint_venture_parts_and_the_first_hundred_billion(
    world: World, claims: dict[str, Claim], seeds: set[str]
) -> None:
    deal = next(d for d in world.deals if d.id == "stargate-jv")
    parts = {payers: (amount, ids) for payers, amount, ids in deal.parts}
    assert parts[("openai",)][0] == 19e9
    assert parts[("softbank",)][0] == 19e9
    assert parts[("mgx", "oracle")][0] == 7e9  # together ("à eux deux"), not each
    assert any("à eux deux" in q for q in seed_quotes(list(parts[("mgx", "oracle")][1]), claims,
                                                       seeds))  # fmt: skip
    assert row(world, "stargate-jv")["amount_usd"] == 45e9
    programme = next(d for d in world.deals if d.id == "stargate-programme")
    first = {year: (amount, ids) for year, amount, ids in programme.schedule}
    assert first[2025][0] == 100e9
    assert any("premiers 100 milliards" in q for q in seed_quotes(list(first[2025][1]), claims,
                                                                   seeds))  # fmt: skip
    assert programme.payments()[2025] == 100e9  # then $400B over the rest of the term
    assert sum(programme.payments().values()) == pytest.approx(500e9)


def test_abilene_denton_and_ohio_come_from_the_seed(
    world: World, claims: dict[str, Claim], seeds: set[str]
) -> None:
    sites = world.sites
    for site, words in (("abilene-site", "Abilene"), ("denton-site", "Denton"),
                        ("lordstown-site", "l’Ohio")):  # fmt: skip
        rows = sites[sites["site_id"] == site]
        ids = [i for claims_of_row in rows["claims"] for i in claims_of_row]
        assert any(words in q for q in seed_quotes(ids, claims, seeds)), site


def test_every_agreement_field_cites_claims(world: World, claims: dict[str, Claim]) -> None:
    for agreement in world.agreements.to_dict("records"):
        cited = agreement["claims"]
        for column in ("amount_usd", "latest_status", "payers"):
            if column == "amount_usd" and agreement["amount_usd"] == 0:
                continue
            assert cited.get(column), (agreement["id"], column)
        for ids in cited.values():
            assert all(i in claims for i in ids)
