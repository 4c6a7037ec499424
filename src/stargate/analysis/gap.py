"""Funding gap: for Stargate and each site, announced vs committed (by party) vs secured vs the
capex its gigawatts require (GW × $/GW, a distribution).

- announced: the largest resolved investment, commitment or capex figure about the project;
- committed: equity and loan agreements paying into the project or site, by party;
- secured: resolved ``funding_secured`` figures of the committing parties, as [low, high] with
  their state (a disputed figure stays a range, never a pick);
- required: GW × the all-in capex prior (and, for sites, shell and power alone), lognormal;
- gap = required − committed, with the same percentiles.
"""

from __future__ import annotations

from typing import Any

from stargate.capacity import CAPEX_ALL_IN_PER_W_IT, CAPEX_SHELL_POWER_PER_W_IT, Lognormal
from stargate.world.world import World

FINANCING = frozenset({"equity", "loan"})


def _quantiles(prior: Lognormal, gw: float, minus: float = 0.0) -> dict[str, float]:
    if gw <= 0:  # no power stated: nothing to price
        return {"p5": -minus, "p50": -minus, "p95": -minus}
    scaled = prior.scaled(gw * 1e9)
    return {k: v - minus for k, v in scaled.quantiles().items()}


def _secured(world: World, parties: list[str]) -> list[dict[str, Any]]:
    rows = world.resolved
    found = []
    for row in rows[rows["kind"] == "funding_secured"].to_dict("records"):
        subjects = set(row["subjects"])
        if subjects & set(parties):
            found.append({
                "subjects": sorted(subjects), "state": row["state"], "low_usd": row["low"],
                "high_usd": row["high"], "value_usd": row["value"], "claims": row["supporting"],
                "dissenting": row["dissenting"],
            })  # fmt: skip
    return found


def project_gap(world: World, project: str = "stargate") -> dict[str, Any]:
    agreements = world.agreements
    pledges = agreements[(agreements["payee"] == project) & agreements["kind"].isin(FINANCING)]
    committed: dict[str, float] = {}
    for row in world.payments[world.payments["agreement_id"].isin(pledges["id"])].to_dict(
        "records"
    ):
        committed[row["payer"]] = committed.get(row["payer"], 0.0) + float(row["amount_usd"])
    gw = float(pledges["capacity_gw"].max()) if pledges["capacity_gw"].notna().any() else 0.0
    rows = world.resolved
    mask = [
        project in subjects and kind in {"investment", "commitment", "capex"}
        and unit == "USD"
        for subjects, kind, unit in zip(rows["subjects"], rows["kind"], rows["unit"], strict=True)
    ]  # fmt: skip
    announced = rows[mask]
    total = sum(committed.values())
    return {
        "name": project,
        "gw": gw,
        "announced_usd": float(announced["value"].max()) if len(announced) else None,
        "committed_usd": total,
        "committed_by_party": committed,
        "secured": _secured(world, list(committed)),
        "required_capex_usd": _quantiles(CAPEX_ALL_IN_PER_W_IT, gw),
        "gap_usd": _quantiles(CAPEX_ALL_IN_PER_W_IT, gw, minus=total),
    }


def site_gaps(world: World) -> list[dict[str, Any]]:
    result = []
    agreements = world.agreements
    for site_id, rows in world.sites.groupby("site_id", sort=True):
        gw = float(rows["power_gw"].max()) if rows["power_gw"].notna().any() else 0.0
        financing = agreements[(agreements["site"] == site_id) & agreements["kind"].isin(FINANCING)]
        by_party: dict[str, float] = {}
        for row in financing.to_dict("records"):
            for payer in row["payers"]:
                by_party[payer] = by_party.get(payer, 0.0) + float(row["amount_usd"])
        total = sum(by_party.values())
        result.append({
            "name": str(site_id),
            "site": str(rows["name"].iloc[0]),
            "gw": gw,
            "power_basis": str(rows["power_basis"].iloc[0]),
            "committed_usd": total,
            "committed_by_party": by_party,
            "required_capex_usd": _quantiles(CAPEX_ALL_IN_PER_W_IT, gw),
            "required_shell_power_usd": _quantiles(CAPEX_SHELL_POWER_PER_W_IT, gw),
            "gap_usd": _quantiles(CAPEX_ALL_IN_PER_W_IT, gw, minus=total),
        })  # fmt: skip
    return result


def gaps(world: World, name: str | None = None) -> list[dict[str, Any]]:
    """The project's gap and every site's, or only the one called ``name`` (id or site name)."""
    everything = [project_gap(world), *site_gaps(world)]
    if name is None:
        return everything
    key = name.casefold()
    exact = [
        g for g in everything if key in {g["name"].casefold(), str(g.get("site", "")).casefold()}
    ]
    return exact or [g for g in everything if key in str(g.get("site", "")).casefold()]
