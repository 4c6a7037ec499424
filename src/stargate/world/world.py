"""The World: one container of typed tables (pandas DataFrames) whose schema carries units and
descriptions (PyPSA's idea), rebuilt from the ledger (resolved claims) and the curated data.

``stargate.load()`` returns the World of the default store. Building it is pure: no logging
setup, no network, no global random state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Final

import pandas as pd

from stargate.capacity import CAPEX_ALL_IN_PER_W_IT, CAPEX_SHELL_POWER_PER_W_IT, PUE
from stargate.evidence.entities import load_gazetteer
from stargate.ledger.records import ClaimLink, Entity, Source, StoredClaim
from stargate.world.curated import Curated, bundled, finance_rows
from stargate.world.resolve import Resolved, resolve


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    dtype: str
    unit: str
    description: str


def _cols(*rows: tuple[str, str, str, str]) -> tuple[Column, ...]:
    return tuple(Column(*row) for row in rows)


SCHEMA: Final[Mapping[str, tuple[Column, ...]]] = {
    "entities": _cols(
        ("id", "str", "", "canonical entity id"),
        ("name", "str", "", "canonical name"),
        ("type", "str", "", "company, fund, person, project, site, government, organization"),
        ("role", "str", "", "lab, cloud, chips, builder, investor, media, other"),
        ("parent_id", "str", "", "the organisation a person speaks for, or a site's owner"),
    ),
    "agreements": _cols(
        ("id", "str", "", "agreement id (curated)"),
        ("name", "str", "", "what the agreement is"),
        ("kind", "str", "", "equity, contract, lease, loan, purchase, capex_programme"),
        ("payers", "str", "", "who pays, comma-separated entity ids"),
        ("payee", "str", "", "who is paid (empty for a capex programme)"),
        ("amount_usd", "float", "USD", "total value"),
        ("capacity_gw", "float", "GW", "capacity the agreement covers (basis as quoted)"),
        ("site", "str", "", "site id"),
        ("conditions", "str", "", "conditions, as `rule: text`"),
        ("status", "str", "", "status over time, as `date status`"),
        ("latest_status", "str", "", "the last status"),
        ("sources", "str", "", "source keys (see the sources table)"),
        ("claims", "str", "", "claims in the ledger that support it (quotes)"),
    ),
    "payments": _cols(
        ("agreement_id", "str", "", "agreement"),
        ("payer", "str", "", "paying entity"),
        ("payee", "str", "", "paid entity"),
        ("kind", "str", "", "agreement kind"),
        ("year", "int", "year", "calendar year due"),
        ("amount_usd", "float", "USD", "amount due that year from this payer"),
    ),
    "sites": _cols(
        ("site_id", "str", "", "site id"),
        ("name", "str", "", "site name"),
        ("owner", "str", "", "owner entity"),
        ("tenant", "str", "", "tenant entity"),
        ("offtaker", "str", "", "who uses the compute"),
        ("date", "str", "", "date of this state (prefix date)"),
        ("power_gw", "float", "GW", "power at that date"),
        ("power_basis", "str", "", "it, facility, or unknown (as quoted)"),
        ("status", "str", "", "announced, planned, under_construction, operational"),
        ("sources", "str", "", "source keys"),
    ),
    "finances": _cols(
        ("entity", "str", "", "entity id"),
        ("as_of", "str", "", "date of the figures"),
        ("cash_usd", "float", "USD", "cash and equivalents"),
        ("revenue_usd", "float", "USD/yr", "revenue, latest year or run-rate"),
        ("debt_usd", "float", "USD", "debt outstanding"),
        ("debt_service_usd", "float", "USD/yr", "interest and principal due per year"),
        ("sources", "str", "", "source keys"),
        ("assumptions", "str", "", "what is assumed rather than sourced"),
        ("revenue_year", "int", "year", "the year revenue_usd is for"),
        ("revenue_target_year", "int", "year", "the year of the revenue_target_usd prior"),
        ("approach_years", "float", "yr", "time constant of the revenue and margin paths"),
        ("margin", "float", "ratio", "today's cash margin on outside revenue"),
        ("fixed_costs_usd", "float", "USD/yr", "cash costs committed ahead of revenue, today"),
        ("fixed_costs_long_run_usd", "float", "USD/yr", "the level fixed costs head to"),
        ("demand_beta", "float", "ratio", "loading of long-run revenue on AI demand"),
        ("contract_margin", "float", "ratio", "share of contracted revenue left after costs"),
        ("new_debt_share", "float", "ratio", "share of new money raised as debt"),
        ("credit_spread", "float", "1/yr", "spread over the base rate on new debt"),
        ("asset_sale_rate", "float", "1/yr", "share of sellable holdings it can sell a year"),
        ("capex_per_revenue", "float", "yr", "capex per USD/yr of planned revenue growth"),
        ("capex_debt_share", "float", "ratio", "share of that capex borrowed"),
        ("capex_debt_years", "int", "yr", "amortisation of that debt"),
        ("equity_value_usd", "float", "USD", "market value or last valuation of its equity"),
    ),
    "debts": _cols(
        ("entity", "str", "", "borrower"),
        ("name", "str", "", "tranche"),
        ("amount_usd", "float", "USD", "principal"),
        ("rate", "float", "1/yr", "interest rate"),
        ("drawn", "int", "year", "year drawn (empty: outstanding at the opening)"),
        ("matures", "int", "year", "final maturity"),
        ("amortising", "bool", "", "equal yearly principal (else bullet)"),
        ("sources", "str", "", "source keys"),
        ("basis", "str", "", "figures taken, or the assumption"),
    ),
    "deliveries": _cols(
        ("agreement_id", "str", "", "agreement"),
        ("year", "int", "year", "calendar year"),
        ("share", "float", "ratio", "share of the agreement's capacity running on average"),
        ("sources", "str", "", "source keys"),
        ("basis", "str", "", "figures taken, or the assumption"),
    ),
    "builds": _cols(
        ("agreement_id", "str", "", "agreement the capacity is sold under"),
        ("builder", "str", "", "who pays for the capacity"),
        ("gw", "float", "GW", "capacity it builds (empty: the agreement's)"),
        ("capex_per_gw_p5", "float", "USD/GW", "5th percentile (empty: its own purchase)"),
        ("capex_per_gw_p95", "float", "USD/GW", "95th percentile"),
        ("lease_usd_per_gw_year", "float", "USD/GW/yr", "rent for the sites"),
        ("debt_share", "float", "ratio", "share of the capex borrowed as project debt"),
        ("debt_years", "int", "yr", "amortisation of the project debt"),
        ("spread", "float", "1/yr", "over the base rate"),
        ("sources", "str", "", "source keys"),
        ("basis", "str", "", "figures taken, or the assumption"),
    ),
    "estimates": _cols(
        ("agreement_id", "str", "", "agreement whose amount is an estimate"),
        ("low_usd", "float", "USD", "low end"),
        ("high_usd", "float", "USD", "high end"),
        ("sources", "str", "", "source keys"),
        ("basis", "str", "", "figures taken, or the assumption"),
    ),
    "anchors": _cols(
        ("id", "str", "", "anchor id"),
        ("entity", "str", "", "entity"),
        ("measure", "str", "", "pd_5y, burn_usd or revenue_usd"),
        ("date", "str", "", "date of the quote or plan"),
        ("year", "int", "year", "year of a plan figure"),
        ("value", "float", "", "the anchor: PD(5y) from the spread, or the plan's figure"),
        ("spread_bp", "float", "bp", "5-year CDS spread"),
        ("recovery", "float", "ratio", "recovery rate R in λ = s / (1 − R)"),
        ("ratio_low", "float", "ratio", "tolerance: lowest model / anchor"),
        ("ratio_high", "float", "ratio", "tolerance: highest model / anchor"),
        ("reason", "str", "", "why a gap beyond the tolerance is expected"),
        ("sources", "str", "", "source keys"),
    ),
    "priors": _cols(
        ("param", "str", "", "parameter name"),
        ("entity", "str", "", "entity it applies to (empty: global)"),
        ("dist", "str", "", "normal or lognormal"),
        ("p5", "float", "param units", "5th percentile"),
        ("p50", "float", "param units", "median"),
        ("p95", "float", "param units", "95th percentile"),
        ("units", "str", "", "units"),
        ("source", "str", "", "where the interval comes from"),
        ("basis", "str", "", "the figure taken from the source, or the assumption"),
    ),
    "resolved": _cols(
        ("subjects", "str", "", "canonical subjects, comma-separated"),
        ("object", "str", "", "canonical object"),
        ("kind", "str", "", "claim kind"),
        ("unit", "str", "", "unit (ISO 4217 for money)"),
        ("period", "str", "", "total, per_year, over_N_years"),
        ("state", "str", "", "single, consistent, range, disputed, denied"),
        ("value", "float", "unit", "display value (a stated figure)"),
        ("low", "float", "unit", "lower end (empty: open)"),
        ("high", "float", "unit", "upper end (empty: open)"),
        ("components", "int", "", "mixture components (more than 1: disputed)"),
        ("supporting", "str", "", "supporting claim ids"),
        ("dissenting", "str", "", "dissenting claim ids"),
        ("rule_version", "str", "", "resolution rule"),
    ),
    "sources": _cols(
        ("key", "str", "", "source key"),
        ("publisher", "str", "", "outlet"),
        ("title", "str", "", "title"),
        ("date", "str", "", "date"),
        ("address", "str", "", "web address"),
        ("quality", "str", "", "P primary, W wire/major, S secondary"),
    ),
}


@dataclass(frozen=True)
class World:
    """The resolved model: tables by name, each a DataFrame with the columns of ``SCHEMA``."""

    tables: Mapping[str, pd.DataFrame]
    resolved_values: tuple[Resolved, ...] = field(default=())
    as_of: date = field(default_factory=date.today)
    """The date the World describes: evidence published after it is not in it, and the stress
    simulation starts there (what happened before is history, not a draw)."""

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = object.__getattribute__(self, "tables")
        if name in tables:
            frame: pd.DataFrame = tables[name]
            return frame
        raise AttributeError(name)

    def summary(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self.tables.items()}

    def schema(self) -> dict[str, list[dict[str, str]]]:
        return {t: [asdict(c) for c in columns] for t, columns in SCHEMA.items()}


def _frame(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    columns = [c.name for c in SCHEMA[name]]
    return pd.DataFrame(rows, columns=columns)


def build_world(
    entities: list[Entity],
    curated: Curated,
    resolved: tuple[Resolved, ...] = (),
) -> World:
    """Assemble the tables from entities, curated data and resolved claims."""
    entity_rows = [
        {"id": e.id, "name": e.name, "type": str(e.type), "role": e.role, "parent_id": e.parent_id}
        for e in entities
    ]
    agreement_rows, payment_rows = [], []
    for a in curated.agreements:
        status = "; ".join(f"{s.date} {s.status}" for s in a.status)
        agreement_rows.append({
            "id": a.id, "name": a.name, "kind": a.kind, "payers": ",".join(a.payer),
            "payee": a.payee, "amount_usd": a.amount_usd, "capacity_gw": a.capacity_gw,
            "site": a.site, "conditions": "; ".join(f"{c.rule}: {c.text}" for c in a.conditions),
            "status": status, "latest_status": a.status[-1].status if a.status else None,
            "sources": ",".join(a.sources), "claims": a.claims,
        })  # fmt: skip
        shares = a.parts or {p: a.amount_usd / len(a.payer) for p in a.payer}
        total = sum(shares.values())
        for year, amount in sorted(a.payments().items()):
            for payer, share in shares.items():
                payment_rows.append({
                    "agreement_id": a.id, "payer": payer, "payee": a.payee, "kind": a.kind,
                    "year": year, "amount_usd": amount * share / total,
                })  # fmt: skip
    site_rows = [
        {"site_id": s.id, "name": s.name, "owner": s.owner, "tenant": s.tenant,
         "offtaker": s.offtaker, "date": p.date, "power_gw": p.gw,
         "power_basis": s.power_basis, "status": p.status, "sources": ",".join(s.sources)}
        for s in curated.sites for p in s.timeline
    ]  # fmt: skip
    rows = finance_rows(curated)
    prior_rows = rows.pop("priors")
    for param, prior, units in (
        ("pue", PUE, "ratio"),
        ("capex_all_in_per_w_it", CAPEX_ALL_IN_PER_W_IT, "USD/W"),
        ("capex_shell_power_per_w_it", CAPEX_SHELL_POWER_PER_W_IT, "USD/W"),
    ):
        prior_rows.append({
            "param": param, "entity": None, "dist": "lognormal", "p5": prior.p5, "p50": prior.p50,
            "p95": prior.p95, "units": units, "source": prior.source, "basis": "",
        })  # fmt: skip
    resolved_rows = [
        {"subjects": ",".join(r.proposition.subjects), "object": r.proposition.object_id,
         "kind": r.proposition.kind, "unit": r.proposition.unit, "period": r.proposition.period,
         "state": r.state, "value": None if r.value is None else float(r.value),
         "low": None if r.low is None else float(r.low),
         "high": None if r.high is None else float(r.high), "components": len(r.components),
         "supporting": ",".join(r.supporting), "dissenting": ",".join(r.dissenting),
         "rule_version": r.rule_version}
        for r in resolved
    ]  # fmt: skip
    source_rows = [s.model_dump() for s in curated.sources.values()]
    tables = {
        "entities": _frame("entities", entity_rows),
        "agreements": _frame("agreements", agreement_rows),
        "payments": _frame("payments", payment_rows),
        "sites": _frame("sites", site_rows),
        "priors": _frame("priors", prior_rows),
        "resolved": _frame("resolved", resolved_rows),
        "sources": _frame("sources", source_rows),
        **{name: _frame(name, table) for name, table in rows.items()},
    }
    return World(tables, tuple(resolved))


def from_ledger(
    entities: list[Entity],
    sources: Mapping[str, Source],
    claims: list[StoredClaim],
    links: list[ClaimLink],
    canonical: Mapping[str, str],
) -> World:
    """The World from what a store holds (the gazetteer when it has no entities yet)."""
    resolved = resolve(claims, links, canonical, sources)
    return build_world(entities or load_gazetteer(), bundled(), tuple(resolved))


def load(db: str | None = None) -> World:
    """The World of a store (default: the embedded store), with the bundled curated data."""
    from stargate.ledger.store import Store

    with Store.open(db) as store:
        return from_ledger(store.entities(), {s.id: s for s in store.sources()}, store.claims(),
                           store.claim_links(), store.canonical_ids())  # fmt: skip


def curated_world() -> World:
    """The World from curated data and the gazetteer alone (no store)."""
    return build_world(load_gazetteer(), bundled())
