"""The World: one container of typed tables (pandas DataFrames) whose schema carries units and
descriptions (PyPSA's idea), rebuilt from the ledger as of a date.

The ledger is the one store of record: the curated dataset enters it as claims by the curators
(:mod:`stargate.world.curation`), news as extracted claims. Agreements are assembled from the
claims that judgements attach to deals (:mod:`stargate.world.deals`), sites from the claims about
site entities, and ``resolved`` is every proposition resolved (:mod:`stargate.world.resolve`).
Finances and priors are model inputs read from the curated files, each row citing its sources.

``stargate.load()`` returns the World of the default store. Building it is pure: no logging
setup, no network, no global random state.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd

from stargate.capacity import CAPEX_ALL_IN_PER_W_IT, CAPEX_SHELL_POWER_PER_W_IT, PUE
from stargate.evidence.confidence import needs_review
from stargate.evidence.entities import load_gazetteer
from stargate.ledger.records import (
    ClaimLink,
    Deal,
    DealClaim,
    DealField,
    Entity,
    Rank,
    Source,
    StoredClaim,
)
from stargate.world.curated import Curated, bundled, finance_rows
from stargate.world.curation import (
    curated_records,
    curated_version,
    finance_figures,
    seed_sources,
    site_entities,
)
from stargate.world.deals import AssembledDeal, assemble, attachments
from stargate.world.resolve import RULE_VERSION, Resolved, live_claims, resolve, statement_date
from stargate.world.schema import SCHEMA, Column
from stargate.world.sites import site_rows

__all__ = ["SCHEMA", "Column", "Evidence", "World", "build_world", "curated_world", "load"]


@dataclass(frozen=True)
class World:
    """The resolved model: tables by name, each a DataFrame with the columns of ``SCHEMA``.

    ``as_of`` is the date the World describes: evidence stated after it is not in it, and the
    stress simulation starts there (what happened before is history, not a draw). ``deals``
    keeps each agreement as assembled, with the claims behind every field."""

    tables: Mapping[str, pd.DataFrame]
    resolved_values: tuple[Resolved, ...] = field(default=())
    as_of: date = field(default_factory=date.today)
    deals: tuple[AssembledDeal, ...] = field(default=(), repr=False)
    rule: str = RULE_VERSION

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = object.__getattribute__(self, "tables")
        if name in tables:
            frame: pd.DataFrame = tables[name]
            return frame
        raise AttributeError(name)

    def __dir__(self) -> list[str]:
        return sorted({*object.__dir__(self), *self.tables})

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}={len(frame)}" for name, frame in self.tables.items())
        return f"World(as_of={self.as_of.isoformat()}, rule={self.rule}, {sizes})"

    def summary(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self.tables.items()}

    def typed(self, name: str) -> pd.DataFrame:
        """A copy of table ``name`` with analysis dtypes: text as pandas strings, prefix dates
        as ``datetime64`` (the first day the prefix names: ``2025-09`` is 1 September 2025;
        the text stays in ``<column>_text``), integers with gaps as nullable ``Int64``.

        The tables themselves keep plain objects, floats and the prefix text, which the
        simulator and the exports read; lists stay lists, and relations with several values
        per row are long tables (``agreement_parties``, ``agreement_claims``...)."""
        frame = self.tables[name].copy()
        for column in SCHEMA[name]:
            values = frame[column.name]
            if column.name in DATE_COLUMNS:
                frame[f"{column.name}_text"] = values.astype("string")
                frame[column.name] = values.map(_prefix_day).astype("datetime64[ns]")
            elif column.dtype == "str":
                frame[column.name] = values.astype("string")
            elif column.dtype == "int":
                frame[column.name] = values.astype("Int64")
        return frame

    def schema(self) -> dict[str, list[dict[str, str]]]:
        return {t: [asdict(c) for c in columns] for t, columns in SCHEMA.items()}


DATE_COLUMNS = frozenset({"date", "status_date", "due", "as_of"})  # prefix dates, as text
_PREFIX_DATE = re.compile(r"~?(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def _prefix_day(text: Any) -> pd.Timestamp | None:
    """The first day a prefix date names (``2025`` -> 1 January 2025; ``~`` marks an
    approximate date and is dropped); None when there is none."""
    found = _PREFIX_DATE.fullmatch(str(text).strip()) if isinstance(text, str) else None
    if found is None:
        return None
    year, month, day = found.groups()
    return pd.Timestamp(int(year), int(month or 1), int(day or 1))


def _frame(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A table with its schema's columns; categories as categories, complete integers as
    integers, money rounded to the cent (the ledger keeps the exact decimals; a float sum such
    as 24999999999.999996 reads 25000000000.0)."""
    columns = SCHEMA[name]
    frame = pd.DataFrame(rows, columns=[c.name for c in columns])
    for column in columns:
        if column.unit.startswith("USD") and column.dtype == "float":
            frame[column.name] = pd.to_numeric(frame[column.name]).round(2)
        if column.dtype == "category":
            frame[column.name] = frame[column.name].astype("category")
        elif column.dtype == "int" and frame[column.name].notna().all():
            frame[column.name] = frame[column.name].astype("int64")
    return frame


@dataclass(frozen=True)
class Evidence:
    """What the World is built from: the ledger's records."""

    entities: Sequence[Entity]
    sources: Mapping[str, Source]
    claims: Sequence[StoredClaim]
    links: Sequence[ClaimLink] = ()
    canonical: Mapping[str, str] = field(default_factory=dict)
    deals: Sequence[Deal] = ()
    deal_links: Sequence[DealClaim] = ()


def trusted(claim: StoredClaim) -> bool:
    """An extracted claim may feed the World when its confidence reaches the review threshold
    (:data:`stargate.evidence.confidence.REVIEW_THRESHOLD`) or a person has reviewed it;
    a person's own claims (corrections) always may."""
    c = claim.claim
    if claim.reviewed or c.origin.startswith("review:"):
        return True
    return not needs_review(c.confidence)


def _version_key(version: str) -> tuple[int | str, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.-]", version))


def counted_claims(evidence: Evidence, as_of: date) -> dict[str, StoredClaim]:
    """The claims the World counts as of ``as_of``: live (not retracted, deprecated or
    superseded), stated on or before the date (undated claims count), from the newest curated
    version of each curated file, and, for extracted claims, confident enough, reviewed, or
    accepted into an agreement by a person."""
    newest: dict[str, str] = {}
    for claim in evidence.claims:
        version = curated_version(claim.claim.origin)
        if version is not None:
            file = claim.claim.origin.rsplit("@", 1)[0]
            if file not in newest or _version_key(version) > _version_key(newest[file]):
                newest[file] = version
    day = as_of.isoformat()
    accepted = {link.claim_id for link in evidence.deal_links
                if link.deleted_at is None and link.user != "matcher"}  # fmt: skip
    kept: dict[str, StoredClaim] = {}
    for claim in live_claims(evidence.claims, evidence.links):
        c = claim.claim
        version = curated_version(c.origin)
        if version is not None and newest.get(c.origin.rsplit("@", 1)[0]) != version:
            continue
        if version is None and not trusted(claim) and claim.id not in accepted:
            continue
        when = statement_date(claim, evidence.sources)
        if when is not None and when[: len(day)] > day:
            continue
        kept[claim.id] = claim
    return kept


def build_world(
    evidence: Evidence | Sequence[Entity],
    curated: Curated,
    resolved: Sequence[Resolved] | None = None,
    *,
    as_of: date | None = None,
    rule: str = RULE_VERSION,
) -> World:
    """Assemble the tables from the ledger's records (and the curated finances and priors).

    Given entities instead of :class:`Evidence`, the curated dataset's records are built in
    memory (a hand-made dataset for tests and what-if studies, quoting no seed article), and
    ``resolved``, when given, replaces the resolution of its claims."""
    if not isinstance(evidence, Evidence):
        records = curated_records(curated, {})
        stored = [StoredClaim(c.id, c, Rank.NORMAL, None) for c in records.claims]
        given = list(evidence)
        sites = site_entities(curated, {e.id for e in given})
        evidence = Evidence(
            entities=[*given, *sites], sources={s.id: s for s in records.sources},
            claims=stored, deals=records.deals, deal_links=records.links,
        )  # fmt: skip
    world = _build(evidence, curated, as_of or date.today(), rule)
    if resolved is None:
        return world
    tables = dict(world.tables)
    tables["resolved"] = _frame("resolved", [_resolved_row(r) for r in resolved])
    return World(tables, tuple(resolved), world.as_of, world.deals, world.rule)


def _build(evidence: Evidence, curated: Curated, as_of: date, rule: str) -> World:
    claims = counted_claims(evidence, as_of)
    entities = list(evidence.entities) or load_gazetteer()
    names = {e.id: e.name for e in entities}
    resolved = tuple(resolve(claims.values(), evidence.links, evidence.canonical,
                             evidence.sources, rule))  # fmt: skip
    attached = attachments(evidence.deals, evidence.deal_links, claims)
    deals = tuple(
        assemble(deal, attached[deal.id], evidence.sources, evidence.canonical, as_of.year)
        for deal in evidence.deals if attached.get(deal.id)
    )  # fmt: skip
    entity_rows = [
        {"id": e.id, "name": e.name, "type": str(e.type), "role": e.role,
         "parent_id": e.parent_id}
        for e in entities
    ]  # fmt: skip
    sites = site_rows(claims.values(), entities, curated, names, evidence.sources,
                      evidence.canonical)  # fmt: skip
    tables = {
        "entities": _frame("entities", entity_rows),
        **_agreement_tables(deals),
        "sites": _frame("sites", sites),
        **_curated_tables(curated),
        "resolved": _frame("resolved", [_resolved_row(r) for r in resolved]),
        "sources": _frame("sources", _source_rows(claims.values(), evidence.sources, curated)),
    }
    return World(tables, resolved, as_of, deals, rule)


def _agreement_tables(deals: Sequence[AssembledDeal]) -> dict[str, pd.DataFrame]:
    rows, parties, conditions, statuses, revisions, cited, payments = [], [], [], [], [], [], []
    for d in deals:
        amount = d.fields.get(DealField.AMOUNT)
        rows.append({
            "id": d.id, "name": d.name, "kind": str(d.kind), "payers": list(d.payers),
            "payee": d.payee, "amount_usd": d.amount,
            "amount_low_usd": amount.low if amount else None,
            "amount_high_usd": amount.high if amount else None,
            "amount_state": amount.state if amount else None,
            "annual_usd": d.value(DealField.ANNUAL), "term_years": d.value(DealField.TERM),
            "start_year": d.start, "capacity_gw": d.value(DealField.CAPACITY), "site": d.site,
            "conditions": [c.rule for c in d.conditions], "latest_status": d.status,
            "status_date": d.status_date, "claims": {k: list(v) for k, v in d.cited.items()},
            "sources": list(d.sources),
        })  # fmt: skip
        shares = d.shares()
        parties += [{"agreement_id": d.id, "entity": p, "role": "payer", "share": shares.get(p)}
                    for p in d.payers]  # fmt: skip
        if d.payee:
            parties.append({"agreement_id": d.id, "entity": d.payee, "role": "payee",
                            "share": None})  # fmt: skip
        conditions += [{"agreement_id": d.id, "rule": c.rule, "usd_per_gw": c.usd_per_gw,
                        "due": c.due, "claims": list(c.claims)} for c in d.conditions]  # fmt: skip
        statuses += [{"agreement_id": d.id, "date": when, "status": status, "claims": list(ids)}
                     for when, status, ids in d.status_history]  # fmt: skip
        for deal_field, value in d.fields.items():
            for when, figure, ids in value.history:
                revisions.append({
                    "agreement_id": d.id, "field": str(deal_field), "date": when,
                    "value": figure, "current": bool(set(ids) & set(value.claims)),
                    "claims": list(ids),
                })  # fmt: skip
            for when, figure, ids, counted in value.additions:
                revisions.append({
                    "agreement_id": d.id, "field": f"{deal_field}_added", "date": when,
                    "value": figure, "current": counted, "claims": list(ids),
                })  # fmt: skip
        cited += [{"agreement_id": d.id, "column": column, "claim_id": claim}
                  for column, ids in d.cited.items() for claim in ids]  # fmt: skip
        for year, due in sorted(d.payments().items()):
            for payer, share in shares.items():
                payments.append({"agreement_id": d.id, "payer": payer, "payee": d.payee,
                                 "kind": str(d.kind), "year": year,
                                 "amount_usd": round(due * share, 2)})  # fmt: skip
    return {
        "agreements": _frame("agreements", rows),
        "agreement_parties": _frame("agreement_parties", parties),
        "agreement_conditions": _frame("agreement_conditions", conditions),
        "agreement_status": _frame("agreement_status", statuses),
        "agreement_revisions": _frame("agreement_revisions", revisions),
        "agreement_claims": _frame("agreement_claims", cited),
        "payments": _frame("payments", payments),
    }


def _curated_tables(curated: Curated) -> dict[str, pd.DataFrame]:
    """The stress model's inputs from the curated files: finances and their priors, debt
    tranches, deliveries, builds, estimates and calibration anchors (``finance_rows``), with the
    global capacity priors."""
    rows = finance_rows(curated)
    prior_rows = rows.pop("priors")
    figures = finance_figures(curated)
    for row in rows["finances"]:
        row["claims"] = {column: list(figures.get(f"finance:{row['entity']}:{column}", ()))
                         for column in ("cash_usd", "revenue_usd")}  # fmt: skip
    for row in rows["debts"]:
        row["claims"] = list(figures.get(f"debt:{row['entity']}:{row['name']}", ()))
    for param, prior, units in (
        ("pue", PUE, "ratio"),
        ("capex_all_in_per_w_it", CAPEX_ALL_IN_PER_W_IT, "USD/W"),
        ("capex_shell_power_per_w_it", CAPEX_SHELL_POWER_PER_W_IT, "USD/W"),
    ):
        prior_rows.append({
            "param": param, "entity": None, "dist": "lognormal", "p5": prior.p5, "p50": prior.p50,
            "p95": prior.p95, "units": units, "source": prior.source, "basis": "",
        })  # fmt: skip
    return {"priors": _frame("priors", prior_rows),
            **{name: _frame(name, table) for name, table in rows.items()}}  # fmt: skip


def _resolved_row(r: Resolved) -> dict[str, Any]:
    def number(value: Any) -> float | None:
        return None if value is None else float(value)

    return {
        "subjects": list(r.proposition.subjects), "object": r.proposition.object_id,
        "kind": r.proposition.kind, "unit": r.proposition.unit, "period": r.proposition.period,
        "state": r.state, "value": number(r.value), "low": number(r.low), "high": number(r.high),
        "components": len(r.components), "supporting": list(r.supporting),
        "dissenting": list(r.dissenting), "revised": list(r.revised),
        "rule_version": r.rule_version,
    }  # fmt: skip


def _source_rows(
    claims: Any, sources: Mapping[str, Source], curated: Curated
) -> list[dict[str, Any]]:
    used = sorted({c.claim.source_id for c in claims})
    rows = []
    for source_id in used:
        source = sources.get(source_id)
        if source is None:
            continue
        key = source.metadata.get("key")
        entry = curated.sources.get(key) if key else None
        rows.append({
            "id": source_id, "key": key, "publisher": source.publisher, "title": source.title,
            "date": source.published_at, "address": source.url,
            "excerpts": "curators" if source.metadata.get("curated") else "article",
            "quality": entry.quality if entry else None,
        })  # fmt: skip
    return rows


def with_bundled_curation(evidence: Evidence) -> Evidence:
    """A store that holds no curated records yet reads the bundled curated dataset as
    ``stargate init`` would load it (the same records, so the same claim ids); once loaded,
    the store's own records count."""
    if any(curated_version(c.claim.origin) for c in evidence.claims):
        return evidence
    curated = bundled()
    seeds = seed_sources()
    records = curated_records(curated, seeds)
    sources = {**{s.id: s for s in [*seeds.values(), *records.sources]}, **evidence.sources}
    known = {e.id for e in evidence.entities} or {e.id for e in load_gazetteer()}
    entities = list(evidence.entities) or load_gazetteer()
    stored = [StoredClaim(c.id, c, Rank.NORMAL, None) for c in records.claims]
    return replace(
        evidence, entities=[*entities, *site_entities(curated, known)], sources=sources,
        claims=[*evidence.claims, *stored], deals=[*evidence.deals, *records.deals],
        deal_links=[*evidence.deal_links, *records.links],
    )  # fmt: skip


def from_store(store: Any, *, as_of: date | None = None, rule: str = RULE_VERSION) -> World:
    """The World of an open :class:`~stargate.ledger.store.Store`."""
    evidence = Evidence(
        entities=store.entities(), sources={s.id: s for s in store.sources()},
        claims=store.claims(), links=store.claim_links(), canonical=store.canonical_ids(),
        deals=store.deals.all(), deal_links=store.deals.links(),
    )  # fmt: skip
    return build_world(with_bundled_curation(evidence), bundled(), as_of=as_of, rule=rule)


def load(db: str | None = None, *, as_of: date | None = None, rule: str = RULE_VERSION) -> World:
    """The World of a store (default: the embedded store) as of a date (default: today)."""
    from stargate.ledger.store import Store

    with Store.open(db) as store:
        return from_store(store, as_of=as_of, rule=rule)


def curated_world(as_of: date | None = None) -> World:
    """The World of the curated dataset and the gazetteer alone (no store): the curated
    records built in memory, the seeds read from the package."""
    empty = Evidence(entities=load_gazetteer(), sources={}, claims=[])
    return build_world(with_bundled_curation(empty), bundled(), as_of=as_of)
