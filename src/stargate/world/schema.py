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
        ("revenue_usd", "float", "USD/yr", "revenue, latest year or run-rate"),
        ("debt_usd", "float", "USD", "debt outstanding"),
        ("debt_service_usd", "float", "USD/yr", "interest and principal due per year"),
        ("sources", "list[str]", "", "curated source keys"),
        ("assumptions", "list[str]", "", "what is assumed rather than sourced"),
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
