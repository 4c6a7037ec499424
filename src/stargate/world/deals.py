"""Agreements assembled from claims: each deal's fields are the resolution of the claims that
judgements attach to it, as of a date.

For one deal, the live claims attached to each field (amount, annual payments, term, capacity,
parts, schedule, site, conditions, status) are resolved with rule ``resolve-2``
(:mod:`stargate.world.resolve`): a later figure from the same deal revises an earlier one, a
dispute stays a dispute. Additions (``amount_added``, ``capacity_added``) count on top of the
base figure they follow (dated on or after it). The status over time comes from status claims
and from denials attached to the deal. Every value keeps the ids of the claims it rests on.

Payments follow the fields: an explicit schedule (with any remainder spread over the rest of the
term), else the annual figure over the term, else the amount spread over the term, else the
amount in the start year (the as-of year when no start is known: an assumption, documented in
``docs/records.md``). A payer's share is its part (a joint part is split evenly among its
payers, an assumption) or an even split.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Final

from stargate.ledger.records import (
    ClaimKind,
    ClaimStatus,
    Deal,
    DealClaim,
    DealField,
    DealKind,
    DealStatus,
    Polarity,
    Source,
    StoredClaim,
)
from stargate.world.resolve import (
    RULE_V2,
    Proposition,
    Resolved,
    display_value,
    resolve_group,
    statement_date,
)

NUMERIC: Final = (DealField.AMOUNT, DealField.ANNUAL, DealField.TERM, DealField.CAPACITY)
ADDITIONS: Final = {DealField.AMOUNT: DealField.AMOUNT_ADDED,
                    DealField.CAPACITY: DealField.CAPACITY_ADDED}  # fmt: skip
COLUMN: Final = {
    DealField.AMOUNT: "amount_usd", DealField.ANNUAL: "annual_usd", DealField.TERM: "term_years",
    DealField.CAPACITY: "capacity_gw", DealField.PART: "parts", DealField.PAYMENT: "schedule",
    DealField.SITE: "site", DealField.CONDITION: "conditions", DealField.STATUS: "latest_status",
    DealField.EVIDENCE: "evidence", DealField.AMOUNT_ADDED: "amount_usd",
    DealField.CAPACITY_ADDED: "capacity_gw",
}  # fmt: skip
"""The agreements-table column each field's claims are cited under."""


@dataclass(frozen=True, slots=True)
class FieldValue:
    """A resolved field: the value, its interval and state, the claims it rests on, and the
    dated figures it revised (oldest first)."""

    value: float | None
    low: float | None
    high: float | None
    state: str
    claims: tuple[str, ...]
    revised: tuple[str, ...] = ()
    dissenting: tuple[str, ...] = ()
    history: tuple[tuple[str | None, float | None, tuple[str, ...]], ...] = ()
    additions: tuple[tuple[str | None, float, tuple[str, ...], bool], ...] = ()
    """Additions stated for this field: (date, amount, claims, counted in the value)."""


@dataclass(frozen=True, slots=True)
class Condition:
    rule: str
    usd_per_gw: float | None
    due: str | None
    claims: tuple[str, ...]


@dataclass(frozen=True)
class AssembledDeal:
    """One agreement as the claims make it."""

    id: str
    name: str
    kind: DealKind
    payers: tuple[str, ...]
    payee: str | None
    fields: Mapping[DealField, FieldValue]
    parts: tuple[tuple[tuple[str, ...], float, tuple[str, ...]], ...]
    schedule: tuple[tuple[int, float, tuple[str, ...]], ...]
    start: int | None
    site: str | None
    conditions: tuple[Condition, ...]
    status_history: tuple[tuple[str | None, str, tuple[str, ...]], ...]
    status: str
    status_date: str | None
    cited: Mapping[str, tuple[str, ...]]
    sources: tuple[str, ...]
    evidence: tuple[str, ...] = ()
    as_of_year: int = field(default_factory=lambda: date.today().year)

    def value(self, deal_field: DealField) -> float | None:
        found = self.fields.get(deal_field)
        return None if found is None else found.value

    @property
    def amount(self) -> float:
        """Total value: the amount field, else the parts, else annual × term, else 0."""
        amount = self.value(DealField.AMOUNT)
        if amount is not None:
            return amount
        if self.parts:
            return sum(p[1] for p in self.parts)
        annual, term = self.value(DealField.ANNUAL), self.value(DealField.TERM)
        if annual is not None and term is not None:
            return annual * term
        return 0.0

    def payments(self) -> dict[int, float]:
        """Money due by calendar year (see the module docstring for the rule)."""
        amount = self.amount
        term = self.value(DealField.TERM)
        years = round(term) if term else None
        first = self.start if self.start is not None else self.as_of_year
        annual = self.value(DealField.ANNUAL)
        if self.schedule:
            due = {year: value for year, value, _ in self.schedule}
            rest = amount - sum(due.values())
            later = range(max(due) + 1, first + years) if years else range(0)
            if rest > 1e-6 * max(amount, 1.0) and len(later) > 0:
                for year in later:
                    due[year] = due.get(year, 0.0) + rest / len(later)
            return due
        if annual is not None and years:
            return {first + i: annual for i in range(years)}
        if years:
            return {first + i: amount / years for i in range(years)}
        return {first: amount} if amount else {}

    def shares(self) -> dict[str, float]:
        """Each payer's share of the money (parts, a joint part split evenly; else even)."""
        if self.parts:
            by_payer: dict[str, float] = defaultdict(float)
            for payers, amount, _ in self.parts:
                for payer in payers:
                    by_payer[payer] += amount / len(payers)
            total = sum(by_payer.values())
            if total > 0:
                return {p: by_payer.get(p, 0.0) / total for p in self.payers}
        return {p: 1 / len(self.payers) for p in self.payers} if self.payers else {}


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _field_value(key: Proposition, claims: list[StoredClaim], sources: Mapping[str, Source]) -> (
    tuple[FieldValue, Resolved]
):  # fmt: skip
    resolved = resolve_group(key, sorted(claims, key=lambda c: c.id), {}, sources, RULE_V2)
    history = tuple(
        sorted(
            ((c.dated, _float(display_value(c, claims)), c.claims)
             for c in resolved.components if not c.denial),
            key=lambda item: item[0] or "",
        )
    )  # fmt: skip
    value = _float(resolved.value)
    if resolved.state == "several":
        value = _float(max((c.middle for c in resolved.components if c.middle is not None),
                           default=None))  # fmt: skip
    return (
        FieldValue(value, _float(resolved.low), _float(resolved.high), resolved.state,
                   resolved.supporting, resolved.revised, resolved.dissenting, history),
        resolved,
    )  # fmt: skip


def _key(deal: Deal, deal_field: DealField, extra: str = "") -> Proposition:
    return Proposition((deal.id,), None, str(deal_field), extra, None, None)


def _latest_date(resolved: Resolved) -> str | None:
    """When the current figure was last stated (the latest date among its current claims)."""
    current = [c for c in resolved.components if c.weight > 0 and not c.denial]
    return max((c.dated for c in current if c.dated), default=None)


def _with_additions(
    deal: Deal, base: FieldValue, base_resolved: Resolved, added: list[StoredClaim],
    sources: Mapping[str, Source],
) -> FieldValue:  # fmt: skip
    """The base figure plus the additions stated on or after it (copies of one addition once);
    earlier additions are listed, not counted (the later base figure includes them)."""
    since = _latest_date(base_resolved)
    seen: dict[tuple[str | None, str], list[StoredClaim]] = defaultdict(list)
    for claim in added:
        quantity = claim.claim.quantity
        if quantity is not None:
            when = statement_date(claim, sources)
            seen[(when, format(quantity.amount.normalize(), "f"))].append(claim)
    rows = []
    extra = 0.0
    for (when, amount), claims in sorted(seen.items(), key=lambda kv: (kv[0][0] or "", kv[0])):
        counted = since is None or when is None or when >= since
        rows.append((when, float(amount), tuple(c.id for c in claims), counted))
        extra += float(amount) if counted else 0.0
    if base.value is None:
        return base
    counted_ids = tuple(i for row in rows if row[3] for i in row[2])
    return FieldValue(
        base.value + extra, None if base.low is None else base.low + extra,
        None if base.high is None else base.high + extra, base.state,
        (*base.claims, *counted_ids), base.revised, base.dissenting, base.history, tuple(rows),
    )  # fmt: skip


def _status(claim: StoredClaim) -> str | None:
    c = claim.claim
    if c.kind is ClaimKind.STATUS:
        return c.value
    if c.polarity is Polarity.DENIES or c.status is ClaimStatus.DENIED:
        return DealStatus.DENIED.value
    if c.status is ClaimStatus.COMPLETED:
        return DealStatus.SIGNED.value
    return None


def assemble(
    deal: Deal,
    attached: Iterable[tuple[DealField, StoredClaim]],
    sources: Mapping[str, Source],
    canonical: Mapping[str, str],
    as_of_year: int,
) -> AssembledDeal:
    """One deal from the live claims attached to it (already filtered to the as-of date)."""
    by_field: dict[DealField, list[StoredClaim]] = defaultdict(list)
    for deal_field, claim in attached:
        if claim.id not in {c.id for c in by_field[deal_field]}:
            by_field[deal_field].append(claim)

    def canon(entity: str | None) -> str | None:
        return None if entity is None else canonical.get(entity, entity)

    fields: dict[DealField, FieldValue] = {}
    cited: dict[str, list[str]] = defaultdict(list)
    for deal_field in NUMERIC:
        claims = [c for c in by_field.get(deal_field, []) if c.claim.quantity is not None]
        added = (
            by_field.get(ADDITIONS.get(deal_field, deal_field), [])
            if deal_field in ADDITIONS
            else []
        )
        if not claims:
            continue
        value, resolved = _field_value(_key(deal, deal_field), claims, sources)
        if added:
            value = _with_additions(deal, value, resolved, added, sources)
        fields[deal_field] = value
        cited[COLUMN[deal_field]] += [*value.claims, *value.revised, *value.dissenting]
    parts = []
    by_payers: dict[tuple[str, ...], list[StoredClaim]] = defaultdict(list)
    for claim in by_field.get(DealField.PART, []):
        who = tuple(sorted({canon(s) or s for s in claim.claim.subjects}))
        by_payers[who].append(claim)
    for who, claims in sorted(by_payers.items()):
        value, _ = _field_value(_key(deal, DealField.PART, ",".join(who)), claims, sources)
        if value.value is not None:
            parts.append((who, value.value, (*value.claims, *value.revised)))
            cited["parts"] += [*value.claims, *value.revised, *value.dissenting]
    schedule = []
    by_year: dict[int, list[StoredClaim]] = defaultdict(list)
    for claim in by_field.get(DealField.PAYMENT, []):
        if claim.claim.valid_from and claim.claim.valid_from[:4].isdigit():
            by_year[int(claim.claim.valid_from[:4])].append(claim)
    for year, claims in sorted(by_year.items()):
        value, _ = _field_value(_key(deal, DealField.PAYMENT, str(year)), claims, sources)
        if value.value is not None:
            schedule.append((year, value.value, value.claims))
            cited["schedule"] += [*value.claims, *value.revised, *value.dissenting]
    starts = [
        int(c.claim.valid_from[:4])
        for f in (DealField.ANNUAL, DealField.TERM, DealField.AMOUNT)
        for c in by_field.get(f, []) if c.id in set(fields[f].claims if f in fields else ())
        and c.claim.valid_from and c.claim.valid_from[:4].isdigit()
    ]  # fmt: skip
    start = min(starts) if starts else (min(by_year) if by_year else None)
    site_claims = sorted(by_field.get(DealField.SITE, []),
                         key=lambda c: (statement_date(c, sources) or "", c.id))  # fmt: skip
    site = site_claims[-1].claim.value if site_claims else None
    cited["site"] += [c.id for c in site_claims]
    conditions: dict[str, list[StoredClaim]] = defaultdict(list)
    for claim in by_field.get(DealField.CONDITION, []):
        if claim.claim.value:
            conditions[claim.claim.value].append(claim)
    condition_rows = []
    for rule, claims in sorted(conditions.items()):
        per_gw = next((float(c.claim.quantity.amount) for c in claims if c.claim.quantity), None)
        due = next((c.claim.valid_to for c in claims if c.claim.valid_to), None)
        condition_rows.append(Condition(rule, per_gw, due, tuple(c.id for c in claims)))
        cited["conditions"] += [c.id for c in claims]
    history: dict[tuple[str | None, str], list[str]] = defaultdict(list)
    for claim in by_field.get(DealField.STATUS, []):
        status = _status(claim)
        if status is not None:
            history[(claim.claim.valid_from or statement_date(claim, sources), status)].append(
                claim.id
            )
    status_history = tuple(
        (when, status, tuple(ids))
        for (when, status), ids in sorted(history.items(), key=lambda kv: (kv[0][0] or "", kv[0]))
    )  # fmt: skip
    if not status_history:
        # no status stated: the deal stands as its figures were stated (completed when every
        # figure says it happened, else announced), on the word of those claims
        figures = [c for f in NUMERIC for c in by_field.get(f, [])]
        done = bool(figures) and all(c.claim.status is ClaimStatus.COMPLETED for c in figures)
        when = max((d for c in figures if (d := statement_date(c, sources))), default=None)
        state = DealStatus.COMPLETED.value if done else DealStatus.ANNOUNCED.value
        status_history = ((when, state, tuple(c.id for c in figures)),) if figures else ()
    latest = status_history[-1] if status_history else (None, DealStatus.ANNOUNCED.value, ())
    cited["latest_status"] += [i for _, _, ids in status_history for i in ids]
    payer_counts: Counter[str] = Counter()
    payees: Counter[str] = Counter()
    money = (DealField.AMOUNT, DealField.ANNUAL, DealField.PART, DealField.PAYMENT,
             DealField.CAPACITY)  # fmt: skip
    telling = money if any(by_field.get(f) for f in money) else tuple(by_field)
    for deal_field in telling:
        for claim in by_field.get(deal_field, []):
            for subject in claim.claim.subjects:
                payer_counts[canon(subject) or subject] += 1
            if claim.claim.object_id:
                payees[canon(claim.claim.object_id) or claim.claim.object_id] += 1
    payers = tuple(sorted(payer_counts))
    payee = (
        payees.most_common(1)[0][0]
        if payees and deal.kind is not DealKind.CAPEX_PROGRAMME
        else None
    )
    evidence = tuple(c.id for c in by_field.get(DealField.EVIDENCE, []))
    cited["payers"] = sorted(
        {c.id for f in (DealField.AMOUNT, DealField.PART) for c in by_field.get(f, [])}
    )
    every = {c.id: c for claims in by_field.values() for c in claims}
    return AssembledDeal(
        id=deal.id, name=deal.name, kind=deal.kind, payers=payers, payee=payee, fields=fields,
        parts=tuple(parts), schedule=tuple(schedule), start=start, site=site,
        conditions=tuple(condition_rows), status_history=status_history, status=latest[1],
        status_date=latest[0], cited={k: tuple(dict.fromkeys(v)) for k, v in cited.items()},
        sources=tuple(sorted({c.claim.source_id for c in every.values()})), evidence=evidence,
        as_of_year=as_of_year,
    )  # fmt: skip


def attachments(
    deals: Sequence[Deal], links: Iterable[DealClaim], claims: Mapping[str, StoredClaim]
) -> dict[str, list[tuple[DealField, StoredClaim]]]:
    """Each deal's attached claims that are in ``claims`` (the live, as-of subset)."""
    known = {d.id for d in deals}
    found: dict[str, list[tuple[DealField, StoredClaim]]] = defaultdict(list)
    for link in links:
        if link.deleted_at is None and link.deal_id in known and link.claim_id in claims:
            found[link.deal_id].append((link.field, claims[link.claim_id]))
    return found
