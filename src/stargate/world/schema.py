"""The World's tables, column by column, with units and descriptions (PyPSA's typed tables).

Lists are Python lists in the data frames and JSON lists in every export; relations with more
than one value per row (an agreement's parties, conditions, status changes, revisions, and the
claims behind each field) are long tables of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final


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
        ("type", "category", "", "company, fund, person, project, site, government, organization"),
        ("role", "category", "", "lab, cloud, chips, builder, investor, media, other"),
        ("parent_id", "str", "", "the organisation a person speaks for, or a site's owner"),
    ),
    "agreements": _cols(
        ("id", "str", "", "agreement id (curated, or minted when a candidate is accepted)"),
        ("name", "str", "", "what the agreement is"),
        ("kind", "category", "", "equity, contract, lease, loan, purchase, capex_programme"),
        ("payers", "list[str]", "", "who pays (entity ids)"),
        ("payee", "str", "", "who is paid (empty for a capex programme)"),
        ("amount_usd", "float", "USD", "total value (resolved; additions included)"),
        ("amount_low_usd", "float", "USD", "lower end of the amount (empty: open)"),
        ("amount_high_usd", "float", "USD", "upper end of the amount (empty: open)"),
        (
            "amount_state",
            "category",
            "",
            "single, consistent, range, disputed, revised or several (rule resolve-2)",
        ),
        ("annual_usd", "float", "USD/yr", "money per year, when stated"),
        ("term_years", "float", "yr", "duration, when stated"),
        ("start_year", "int", "yr", "first year of payments, when stated"),
        ("capacity_gw", "float", "GW", "capacity the agreement covers (basis as quoted)"),
        ("site", "str", "", "site id"),
        ("conditions", "list[str]", "", "condition rules (details in agreement_conditions)"),
        (
            "latest_status",
            "category",
            "",
            "in_talks, letter_of_intent, announced, signed, building, operational, completed, "
            "on_ice, cancelled, denied",
        ),
        ("status_date", "str", "", "date of the latest status (prefix date)"),
        ("claims", "dict[str, list[str]]", "", "claim ids behind each column"),
        ("sources", "list[str]", "", "ledger source ids of those claims"),
    ),
    "agreement_parties": _cols(
        ("agreement_id", "str", "", "agreement"),
        ("entity", "str", "", "entity id"),
        ("role", "category", "", "payer or payee"),
        ("share", "float", "ratio", "a payer's share of the money"),
    ),
    "agreement_conditions": _cols(
        ("agreement_id", "str", "", "agreement"),
        ("rule", "category", "", "a rule of the closed set (docs/records.md)"),
        ("usd_per_gw", "float", "USD/GW", "for per_gw_deployed: money per GW deployed"),
        ("due", "str", "", "for due: the date"),
        ("claims", "list[str]", "", "claim ids"),
    ),
    "agreement_status": _cols(
        ("agreement_id", "str", "", "agreement"),
        ("date", "str", "", "from when (prefix date)"),
        ("status", "category", "", "the status from that date"),
        ("claims", "list[str]", "", "claim ids"),
    ),
    "agreement_revisions": _cols(
        ("agreement_id", "str", "", "agreement"),
        ("field", "category", "", "amount, annual, term, capacity; *_added: an addition"),
        ("date", "str", "", "when the figure was stated (prefix date)"),
        ("value", "float", "field units", "the figure then"),
        ("current", "bool", "", "whether the World uses it now"),
        ("claims", "list[str]", "", "claim ids"),
    ),
    "agreement_claims": _cols(
        ("agreement_id", "str", "", "agreement"),
        ("column", "str", "", "agreements column the claim tells"),
        ("claim_id", "str", "", "claim id"),
    ),
    "payments": _cols(
        ("agreement_id", "str", "", "agreement"),
        ("payer", "str", "", "paying entity"),
        ("payee", "str", "", "paid entity"),
        ("kind", "category", "", "agreement kind"),
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
        ("power_gw", "float", "GW", "power at that date (empty: not stated)"),
        ("power_basis", "category", "", "it, facility, or unknown (as quoted)"),
        ("status", "category", "", "announced, planned, building, operational"),
        ("claims", "list[str]", "", "claim ids behind this row"),
        ("sources", "list[str]", "", "ledger source ids"),
    ),
    "finances": _cols(
        ("entity", "str", "", "entity id"),
        ("as_of", "str", "", "date of the figures"),
        ("cash_usd", "float", "USD", "cash and equivalents"),
        ("revenue_usd", "float", "USD/yr", "outside revenue (what agreements do not pay it)"),
        ("debt_usd", "float", "USD", "debt outstanding at the opening (its tranches)"),
        ("debt_service_usd", "float", "USD/yr", "interest and principal due in the first year"),
        ("sources", "list[str]", "", "curated source keys"),
        ("assumptions", "list[str]", "", "what is assumed rather than sourced"),
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
        ("claims", "dict[str, list[str]]", "", "claim ids of cash_usd and revenue_usd"),
    ),
    "debts": _cols(
        ("entity", "str", "", "borrower"),
        ("name", "str", "", "tranche"),
        ("amount_usd", "float", "USD", "principal"),
        ("rate", "float", "1/yr", "interest rate"),
        ("drawn", "int", "year", "year drawn (empty: outstanding at the opening)"),
        ("matures", "int", "year", "final maturity"),
        ("amortising", "bool", "", "equal yearly principal (else bullet)"),
        ("sources", "list[str]", "", "curated source keys"),
        ("basis", "str", "", "figures taken, or the assumption"),
        ("claims", "list[str]", "", "claim ids of the principal"),
    ),
    "deliveries": _cols(
        ("agreement_id", "str", "", "agreement"),
        ("year", "int", "year", "calendar year"),
        ("share", "float", "ratio", "share of the agreement's capacity running on average"),
        ("sources", "list[str]", "", "curated source keys"),
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
        ("sources", "list[str]", "", "curated source keys"),
        ("basis", "str", "", "figures taken, or the assumption"),
    ),
    "estimates": _cols(
        ("agreement_id", "str", "", "agreement whose amount is an estimate"),
        ("low_usd", "float", "USD", "low end"),
        ("high_usd", "float", "USD", "high end"),
        ("sources", "list[str]", "", "curated source keys"),
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
        ("sources", "list[str]", "", "curated source keys"),
    ),
    "priors": _cols(
        ("param", "str", "", "parameter name"),
        ("entity", "str", "", "entity it applies to (empty: global)"),
        ("dist", "category", "", "normal or lognormal"),
        ("p5", "float", "param units", "5th percentile"),
        ("p50", "float", "param units", "median"),
        ("p95", "float", "param units", "95th percentile"),
        ("units", "str", "", "units"),
        ("source", "str", "", "where the interval comes from"),
        ("basis", "str", "", "the figure taken from the source, or the assumption"),
    ),
    "resolved": _cols(
        ("subjects", "list[str]", "", "canonical subjects"),
        ("object", "str", "", "canonical object"),
        ("kind", "category", "", "claim kind"),
        ("unit", "str", "", "unit (ISO 4217 for money)"),
        ("period", "str", "", "total, per_year, over_N_years"),
        ("state", "category", "", "single, consistent, range, disputed, denied, several, revised"),
        ("value", "float", "unit", "display value (a stated figure)"),
        ("low", "float", "unit", "lower end (empty: open)"),
        ("high", "float", "unit", "upper end (empty: open)"),
        ("components", "int", "", "mixture components (more than 1: disputed)"),
        ("supporting", "list[str]", "", "supporting claim ids"),
        ("dissenting", "list[str]", "", "dissenting claim ids"),
        ("revised", "list[str]", "", "claim ids a later figure replaced"),
        ("rule_version", "str", "", "resolution rule"),
    ),
    "sources": _cols(
        ("id", "str", "", "ledger source id"),
        ("key", "str", "", "curated source key (for the curators' excerpts)"),
        ("publisher", "str", "", "outlet"),
        ("title", "str", "", "title"),
        ("date", "str", "", "publication date (prefix date)"),
        ("address", "str", "", "web address"),
        ("excerpts", "category", "", "article (the publisher's text) or curators (their excerpts)"),
        ("quality", "str", "", "P primary, W wire/major, S secondary (curated sources)"),
    ),
}
