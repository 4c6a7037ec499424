"""The review inbox: new evidence the World does not reflect yet, as items a person accepts,
rejects or edits.

Claims extracted from the news (not the curators' claims) that are attached to no deal are
matched to the World's agreements by their parties (payers and payee, canonical) and kind:

- no agreement between those parties of that kind: a **candidate** agreement (claims about the
  same parties and kind from any number of documents make one candidate);
- an agreement, and the claim's figure is one the agreement already has (within the resolution
  tolerance): **corroboration**, attached by the matcher without review (it changes no value);
- an agreement, and a different figure within a factor of three of its current one: a pending
  **revision** of that field (a figure further away is a candidate: a new deal between the same
  parties);
- a denial (polarity ``denies`` or status ``denied``) of an agreement: a pending **status**
  change to ``denied``.

An item with a problem (a self-loop, a negative amount, an entity only extraction has seen, two
kinds for one deal in one document) stays pending with its reasons and cannot be accepted as it
is. Decisions are ledger records (who, when, why); accepting attaches the item's claims to the
deal (creating the deal for a candidate), rejecting keeps the claims out of later items of the
same kind for the same agreement, editing adds a corrected claim that supersedes the original.
Whether confident items from primary sources may skip review is the setting
``STARGATE_AUTO_ACCEPT`` (``off`` by default, or ``primary``).
"""

from __future__ import annotations

import dataclasses
import getpass
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any, Final

from stargate.errors import StargateError
from stargate.jsonable import jsonable
from stargate.ledger.records import (
    Claim,
    ClaimKind,
    ClaimLink,
    ClaimStatus,
    Deal,
    DealClaim,
    DealField,
    DealKind,
    EntityType,
    Polarity,
    Rank,
    Relation,
    ReviewDecision,
    Source,
    SourceType,
    StoredClaim,
    content_id,
)
from stargate.ledger.store import Store
from stargate.units import Bound, Quantity
from stargate.world.curation import curated_version
from stargate.world.deals import AssembledDeal, assemble
from stargate.world.resolve import statement_date
from stargate.world.world import trusted

ITEM_TYPES: Final = ("candidate", "revision", "status")
DEAL_KIND: Final = {
    ClaimKind.INVESTMENT: DealKind.EQUITY,
    ClaimKind.COMMITMENT: DealKind.EQUITY,
    ClaimKind.CONTRACT: DealKind.CONTRACT,
    ClaimKind.LEASE: DealKind.LEASE,
    ClaimKind.LOAN: DealKind.LOAN,
    ClaimKind.PURCHASE: DealKind.PURCHASE,
    ClaimKind.CAPEX: DealKind.CAPEX_PROGRAMME,
}
"""The deal a money claim is about, by the claim's kind."""
ANY_KIND: Final = frozenset({ClaimKind.CAPACITY, ClaimKind.TERM})
"""Claims that tell a field of a deal of any kind between their parties."""
PRIMARY: Final = frozenset(
    {SourceType.OFFICIAL_REGISTER, SourceType.SELF_DECLARATION, SourceType.VERIFIED}
)
AUTO_ACCEPT_CONFIDENCE: Final = 0.8
"""With ``STARGATE_AUTO_ACCEPT=primary``, items whose claims all reach this confidence and come
from primary sources are accepted by the user ``auto``."""
REVISION_RANGE: Final = 3.0


class ReviewError(StargateError):
    """A review decision that cannot be made (unknown item, a problem, no reason)."""


@dataclass(frozen=True)
class ReviewItem:
    """One pending item: what the evidence proposes and the claims behind it."""

    id: str
    type: str
    agreement_id: str | None
    payers: tuple[str, ...]
    payee: str | None
    kind: str
    field: str | None
    old: Any
    new: Any
    claims: tuple[str, ...]
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    changes: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = jsonable(
            {
                "id": self.id,
                "type": self.type,
                "agreement_id": self.agreement_id,
                "payers": list(self.payers),
                "payee": self.payee,
                "kind": self.kind,
                "field": self.field,
                "old": self.old,
                "new": self.new,
                "claims": list(self.claims),
                "problems": list(self.problems),
                "notes": list(self.notes),
                "changes": dict(self.changes),
            }
        )
        return result


@dataclass(frozen=True)
class Inbox:
    """The store's state as the inbox needs it."""

    claims: Mapping[str, StoredClaim]
    sources: Mapping[str, Source]
    canonical: Mapping[str, str]
    known_entities: frozenset[str]
    sites: frozenset[str]
    deals: Sequence[Deal]
    links: Sequence[DealClaim]
    decisions: Sequence[ReviewDecision]
    assembled: Mapping[str, AssembledDeal]


def read_inbox(store: Store, as_of: date | None = None) -> Inbox:
    """Read what the inbox needs from the store (the World as of ``as_of``, default today)."""
    from stargate.world.curated import bundled
    from stargate.world.resolve import live_claims
    from stargate.world.world import Evidence, build_world, with_bundled_curation

    links = store.claim_links()
    evidence = with_bundled_curation(Evidence(
        store.entities(), {s.id: s for s in store.sources()}, store.claims(), links,
        store.canonical_ids(), store.deals.all(), store.deals.links(),
    ))  # fmt: skip
    world = build_world(evidence, bundled(), as_of=as_of)
    entities = evidence.entities
    return Inbox(
        claims={c.id: c for c in live_claims(evidence.claims, links)},
        sources=evidence.sources,
        canonical=evidence.canonical,
        known_entities=frozenset(e.id for e in entities if not e.id.startswith("cand:")),
        sites=frozenset(e.id for e in entities if e.type is EntityType.SITE),
        deals=evidence.deals,
        links=evidence.deal_links,
        decisions=store.deals.decisions(),
        assembled={d.id: d for d in world.deals},
    )


def _canon(inbox: Inbox, entity: str | None) -> str | None:
    return None if entity is None else inbox.canonical.get(entity, entity)


def _deal_field(claim: Claim) -> DealField | None:
    if claim.kind is ClaimKind.CAPACITY:
        return DealField.CAPACITY if claim.quantity and claim.quantity.unit == "GW" else None
    if claim.kind is ClaimKind.TERM:
        return DealField.TERM
    if claim.kind in DEAL_KIND and claim.quantity is not None and claim.quantity.unit == "USD":
        return DealField.ANNUAL if claim.period == "per_year" else DealField.AMOUNT
    return None


def _figure(claim: Claim) -> float | None:
    if claim.quantity is None:
        return None
    if claim.kind is ClaimKind.TERM and claim.quantity.unit == "months":
        return float(claim.quantity.amount) / 12
    return float(claim.quantity.amount)


def _is_denial(claim: Claim) -> bool:
    return claim.polarity is Polarity.DENIES or claim.status is ClaimStatus.DENIED


def _agrees(stored: StoredClaim, values: Iterable[float]) -> bool:
    """Whether the claim states one of ``values``: its figure (not the open side of "up to" or
    "at least") within the resolution tolerance (1.5%, or 10% for an approximate figure)."""
    quantity = stored.claim.quantity
    if quantity is None:
        return False
    figure = float(quantity.amount)
    if stored.claim.kind is ClaimKind.TERM and quantity.unit == "months":
        figure /= 12
    tolerance = 0.10 if quantity.bound is Bound.APPROX else 0.015
    return any(abs(figure - v) <= tolerance * abs(v) for v in values)


def _deal_kind(inbox: Inbox, claim: Claim) -> DealKind | None:
    """The kind of deal a claim is about; money put into a site is a build-out (capex)."""
    kind = DEAL_KIND.get(claim.kind)
    if kind is not None and _canon(inbox, claim.object_id) in inbox.sites:
        return DealKind.CAPEX_PROGRAMME
    return kind


def _matches(inbox: Inbox, claim: Claim) -> list[AssembledDeal]:
    payers = {_canon(inbox, s) for s in claim.subjects}
    payee = _canon(inbox, claim.object_id)
    kind = _deal_kind(inbox, claim)
    if kind is DealKind.CAPEX_PROGRAMME:
        return [
            d
            for d in inbox.assembled.values()
            if d.kind is kind
            and payers
            and payers <= set(d.payers)
            and (payee is None or payee in {d.site, d.payee})
        ]
    return [
        d
        for d in inbox.assembled.values()
        if payers
        and payers <= set(d.payers)
        and payee == d.payee
        and ((kind is None and claim.kind in ANY_KIND) or kind is d.kind)
    ]


def _rejected(inbox: Inbox) -> set[tuple[str, str, str]]:
    """(item type, target, claim id) that a person rejected."""
    found = set()
    for decision in inbox.decisions:
        if decision.action == "reject":
            target = str(decision.payload.get("target", ""))
            for claim_id in decision.payload.get("claims", []):
                found.add((decision.item_type, target, str(claim_id)))
    return found


def _item_id(*parts: object) -> str:
    return content_id("review", *parts)[:16]


@dataclass
class _Plan:
    """Claims grouped into items, and the corroborations the matcher may attach."""

    candidates: dict[tuple[tuple[str, ...], str | None, str], list[StoredClaim]] = field(
        default_factory=lambda: defaultdict(list)
    )
    revisions: dict[tuple[str, DealField], list[StoredClaim]] = field(
        default_factory=lambda: defaultdict(list)
    )
    statuses: dict[str, list[StoredClaim]] = field(default_factory=lambda: defaultdict(list))
    corroborations: list[DealClaim] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    orphans: list[StoredClaim] = field(default_factory=list)


def _plan(inbox: Inbox, only_sources: set[str] | None = None) -> _Plan:
    attached = {link.claim_id for link in inbox.links if link.deleted_at is None}
    rejected = _rejected(inbox)
    plan = _Plan()
    for stored in sorted(inbox.claims.values(), key=lambda c: c.id):
        claim = stored.claim
        if stored.id in attached or curated_version(claim.origin) is not None:
            continue
        if only_sources is not None and claim.source_id not in only_sources:
            continue
        deal_field = _deal_field(claim)
        if deal_field is None or not claim.subjects:
            continue
        matches = _matches(inbox, claim)
        if _is_denial(claim):
            for deal in matches:
                if ("status", deal.id, stored.id) not in rejected and deal.status != "denied":
                    plan.statuses[deal.id].append(stored)
            continue
        if len(matches) == 1 and deal_field is DealField.AMOUNT:
            deal = matches[0]
            if {_canon(inbox, s) for s in claim.subjects} < set(deal.payers):
                deal_field = DealField.PART  # some of the payers: their part
        if (corroborated := _corroborates(inbox, stored, matches, deal_field)) is not None:
            if trusted(stored):  # a doubtful repeat adds no quote until a person reviews it
                plan.corroborations.append(corroborated)
            continue
        figure = _figure(claim)
        chosen = _closest(matches, deal_field, figure)
        if chosen is not None:
            if ("revision", chosen.id, stored.id) not in rejected:
                plan.revisions[(chosen.id, deal_field)].append(stored)
            continue
        kind = _deal_kind(inbox, claim)
        payers = tuple(sorted({_canon(inbox, s) or s for s in claim.subjects}))
        payee = _canon(inbox, claim.object_id)
        if kind is None:
            plan.orphans.append(stored)  # capacity or a term: joins a candidate below
            continue
        if payee is None and kind is not DealKind.CAPEX_PROGRAMME:
            continue  # money with no payee tells no deal
        key = (payers, payee, str(kind))
        target = f"{','.join(payers)}>{payee}:{kind}"
        if ("candidate", target, stored.id) in rejected:
            continue
        plan.candidates[key].append(stored)
        for deal in matches:
            plan.notes[target].append(
                f"differs by more than x{REVISION_RANGE:g} from {deal.id}: a new deal?"
            )
    for stored in plan.orphans:  # a capacity or term from the document of a candidate
        payers = tuple(sorted({_canon(inbox, s) or s for s in stored.claim.subjects}))
        payee = _canon(inbox, stored.claim.object_id)
        for (cand_payers, cand_payee, _), claims in plan.candidates.items():
            same_document = any(c.claim.source_id == stored.claim.source_id for c in claims)
            if (cand_payers, cand_payee) == (payers, payee) and same_document:
                claims.append(stored)
                break
    return plan


def _corroborates(
    inbox: Inbox, stored: StoredClaim, deals: Sequence[AssembledDeal], deal_field: DealField
) -> DealClaim | None:
    """An attachment for a claim that repeats a figure one of the deals already has: a current
    or earlier figure of the field, an addition to it, or a payer's part."""
    for deal in sorted(deals, key=lambda d: d.id):
        if deal_field is DealField.PART:
            subjects = {_canon(inbox, s) for s in stored.claim.subjects}
            parts = [amount for payers, amount, _ in deal.parts if set(payers) == subjects]
            if parts and _agrees(stored, parts):
                return DealClaim(deal.id, stored.id, DealField.PART, "matcher")
            continue
        current = deal.fields.get(deal_field)
        if current is None:
            continue
        if _agrees(stored, [v for _, v, _ in current.history if v is not None]):
            return DealClaim(deal.id, stored.id, deal_field, "matcher")
        added = [amount for _, amount, _, _ in current.additions]
        if added and _agrees(stored, added):
            addition = {
                DealField.AMOUNT: DealField.AMOUNT_ADDED,
                DealField.CAPACITY: DealField.CAPACITY_ADDED,
            }.get(deal_field, deal_field)
            return DealClaim(deal.id, stored.id, addition, "matcher")
    return None


def _closest(
    deals: list[AssembledDeal], deal_field: DealField, figure: float | None
) -> AssembledDeal | None:
    """The agreement whose current figure for the field is nearest (by ratio) and within the
    revision range; an agreement without that field takes any figure."""
    best: tuple[float, str, AssembledDeal] | None = None
    for deal in deals:
        current = deal.value(deal_field)
        if current is None or figure is None or current <= 0 or figure <= 0:
            ratio = 1.0
        else:
            ratio = max(current / figure, figure / current)
        if ratio <= REVISION_RANGE and (best is None or (ratio, deal.id) < best[:2]):
            best = (ratio, deal.id, deal)
    return None if best is None else best[2]


def _problems(inbox: Inbox, claims: Sequence[StoredClaim]) -> list[str]:
    found = []
    for stored in claims:
        c = stored.claim
        subjects = {_canon(inbox, s) for s in c.subjects}
        if c.object_id is not None and _canon(inbox, c.object_id) in subjects:
            found.append(f"self-loop: claim {stored.id[:8]} has {c.object_id} pay itself")
        if c.quantity is not None and c.quantity.amount < 0:
            found.append(f"negative amount in claim {stored.id[:8]}: {c.quantity}")
        for entity in [*c.subjects, *([c.object_id] if c.object_id else [])]:
            if _canon(inbox, entity) not in inbox.known_entities:
                found.append(
                    f"unknown entity {entity!r} (claim {stored.id[:8]}): merge it into "
                    "a known one or add it to the gazetteer first"
                )
    return list(dict.fromkeys(found))


def _latest(claims: Sequence[StoredClaim], inbox: Inbox) -> StoredClaim:
    return max(claims, key=lambda c: (statement_date(c, inbox.sources) or "", c.id))


def pending(inbox: Inbox, only_sources: set[str] | None = None) -> list[ReviewItem]:
    """The pending items (optionally only those resting on some sources), with previews."""
    plan = _plan(inbox, only_sources)
    items: list[ReviewItem] = []
    kinds_by_source: dict[tuple[str, tuple[str, ...], str | None], set[str]] = defaultdict(set)
    for (payers, payee, kind), claims in plan.candidates.items():
        for c in claims:
            kinds_by_source[(c.claim.source_id, payers, payee)].add(kind)
    for (payers, payee, kind), claims in sorted(plan.candidates.items()):
        problems = _problems(inbox, claims)
        for c in claims:
            kinds = kinds_by_source[(c.claim.source_id, payers, payee)]
            if len(kinds) > 1:
                problems.append(
                    f"two kinds for one deal ({' and '.join(sorted(kinds))}) in "
                    f"source {c.claim.source_id[:12]}: edit the kind first"
                )
        new = _candidate_fields(claims, inbox)
        target = f"{','.join(payers)}>{payee}:{kind}"
        ids = tuple(sorted(c.id for c in claims))
        items.append(
            ReviewItem(
                _item_id("candidate", target, ids),
                "candidate",
                None,
                payers,
                payee,
                kind,
                None,
                None,
                new,
                ids,
                tuple(dict.fromkeys(problems)),
                tuple(dict.fromkeys(plan.notes.get(target, []))),
            )
        )
    for (deal_id, deal_field), claims in sorted(plan.revisions.items()):
        deal = inbox.assembled[deal_id]
        newest = _latest(claims, inbox)
        ids = tuple(sorted(c.id for c in claims))
        items.append(
            ReviewItem(
                _item_id("revision", deal_id, str(deal_field), ids),
                "revision",
                deal_id,
                deal.payers,
                deal.payee,
                str(deal.kind),
                str(deal_field),
                deal.value(deal_field),
                _figure(newest.claim),
                ids,
                tuple(_problems(inbox, claims)),
            )
        )
    for deal_id, claims in sorted(plan.statuses.items()):
        deal = inbox.assembled[deal_id]
        ids = tuple(sorted(c.id for c in claims))
        items.append(
            ReviewItem(
                _item_id("status", deal_id, "denied", ids),
                "status",
                deal_id,
                deal.payers,
                deal.payee,
                str(deal.kind),
                "status",
                deal.status,
                "denied",
                ids,
                tuple(_problems(inbox, claims)),
            )
        )
    return [replace(item, changes=preview(inbox, item)) for item in items]


def _candidate_fields(claims: Sequence[StoredClaim], inbox: Inbox) -> dict[str, float | None]:
    by_field: dict[DealField, list[StoredClaim]] = defaultdict(list)
    for c in claims:
        deal_field = _deal_field(c.claim)
        if deal_field is not None:
            by_field[deal_field].append(c)
    values = {f: _figure(_latest(found, inbox).claim) for f, found in by_field.items()}
    return {
        "amount_usd": values.get(DealField.AMOUNT),
        "annual_usd": values.get(DealField.ANNUAL),
        "term_years": values.get(DealField.TERM),
        "capacity_gw": values.get(DealField.CAPACITY),
    }


def decision_records(
    inbox: Inbox, item: ReviewItem, user: str
) -> tuple[list[Deal], list[DealClaim]]:
    """The deals and attachments that accepting ``item`` makes."""
    by_id = inbox.claims
    if item.type == "candidate":
        deal_id = _mint_deal_id(item)
        kind = DealKind(item.kind)
        name = f"{' and '.join(item.payers)} to {item.payee or 'their own build-out'} ({kind})"
        deal = Deal(deal_id, kind, name, user, f"review:{item.id}")
        links = []
        for claim_id in item.claims:
            deal_field = _deal_field(by_id[claim_id].claim)
            if deal_field is not None:
                links.append(DealClaim(deal_id, claim_id, deal_field, user))
        return [deal], links
    assert item.agreement_id is not None
    deal_field = DealField.STATUS if item.type == "status" else DealField(str(item.field))
    return [], [DealClaim(item.agreement_id, c, deal_field, user) for c in item.claims]


def _mint_deal_id(item: ReviewItem) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", f"{'-'.join(item.payers)}-{item.payee or 'self'}".lower())
    return f"{slug.strip('-')[:80]}-{item.id[:8]}"


def preview(inbox: Inbox, item: ReviewItem) -> dict[str, Any]:
    """What accepting ``item`` would change in the agreements (fields before and after)."""
    deals, links = decision_records(inbox, item, "preview")
    as_of_year = date.today().year
    if item.type == "candidate":
        deal = deals[0]
        attached = [(link.field, inbox.claims[link.claim_id]) for link in links]
        after = assemble(deal, attached, inbox.sources, inbox.canonical, as_of_year)
        return {"adds": _summary(after)}
    assert item.agreement_id is not None
    before = inbox.assembled[item.agreement_id]
    existing = [
        (link.field, inbox.claims[link.claim_id])
        for link in inbox.links
        if link.deal_id == item.agreement_id
        and link.deleted_at is None
        and link.claim_id in inbox.claims
    ]
    extra = [(link.field, inbox.claims[link.claim_id]) for link in links]
    deal = next(d for d in inbox.deals if d.id == item.agreement_id)
    after = assemble(deal, [*existing, *extra], inbox.sources, inbox.canonical, as_of_year)
    old, new = _summary(before), _summary(after)
    return {
        "agreement": item.agreement_id,
        "fields": {k: {"from": old[k], "to": new[k]} for k in old if old[k] != new[k]},
    }


def _summary(deal: AssembledDeal) -> dict[str, Any]:
    payments = deal.payments()
    return {
        "id": deal.id,
        "kind": str(deal.kind),
        "payers": list(deal.payers),
        "payee": deal.payee,
        "amount_usd": deal.amount,
        "annual_usd": deal.value(DealField.ANNUAL),
        "term_years": deal.value(DealField.TERM),
        "capacity_gw": deal.value(DealField.CAPACITY),
        "status": deal.status,
        "payments_usd": sum(payments.values()),
        "first_year": min(payments) if payments else None,
    }


# -- decisions -----------------------------------------------------------------------------


def who() -> str:
    """The person deciding at the command line (the operating system's user name)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli:unknown"


def find(items: Sequence[ReviewItem], item_id: str) -> ReviewItem:
    """The item ``item_id`` (or a unique prefix of at least 6 characters)."""
    found = [
        i for i in items if i.id == item_id or (len(item_id) >= 6 and i.id.startswith(item_id))
    ]
    if len(found) != 1:
        raise ReviewError(
            f"no pending review item {item_id!r}"
            if not found
            else f"{item_id!r} names several items; give more of the id"
        )
    return found[0]


def accept(store: Store, item_id: str, user: str) -> ReviewItem:
    """Accept a pending item: attach its claims (creating the deal of a candidate)."""
    inbox = read_inbox(store)
    item = find(pending(inbox), item_id)
    if item.problems:
        raise ReviewError(f"item {item.id} cannot be accepted as it is: {'; '.join(item.problems)}")
    deals, links = decision_records(inbox, item, user)
    payload = {
        "claims": list(item.claims),
        "target": item.agreement_id or (deals[0].id if deals else None),
        "deal": deals[0].id if deals else None,
    }
    store.deals.decide(
        ReviewDecision(item.id, item.type, "accept", user, None, payload), deals, links
    )
    return item


def reject(store: Store, item_id: str, user: str, reason: str) -> ReviewItem:
    """Reject a pending item; its claims stay in the ledger but out of such items."""
    if not reason or not reason.strip():
        raise ReviewError("a rejection needs a reason (--reason TEXT)")
    if len(reason) > 2000:
        raise ReviewError("a reason has at most 2000 characters")
    inbox = read_inbox(store)
    item = find(pending(inbox), item_id)
    target = item.agreement_id or f"{','.join(item.payers)}>{item.payee}:{item.kind}"
    payload = {"claims": list(item.claims), "target": target}
    store.deals.decide(ReviewDecision(item.id, item.type, "reject", user, reason.strip(), payload))
    return item


EDITABLE: Final = ("subject", "object", "kind", "amount", "period")


def edit(store: Store, item_id: str, user: str, changes: Mapping[str, str]) -> ReviewItem:
    """Correct the claims of an item (subject, object, kind, amount, period): each gets a new
    claim by ``review:USER`` with the same quote and a ``supersedes`` link to the original."""
    unknown = set(changes) - set(EDITABLE)
    if unknown or not changes:
        raise ReviewError(
            f"edit one of {', '.join(EDITABLE)}"
            + (f" (not {', '.join(sorted(unknown))})" if unknown else "")
        )
    inbox = read_inbox(store)
    item = find(pending(inbox), item_id)
    corrected, links = [], []
    for claim_id in item.claims:
        old = inbox.claims[claim_id].claim
        fixed = _edited(old, changes, inbox, user)
        corrected.append(fixed)
        links.append(
            ClaimLink(
                fixed.id,
                claim_id,
                Relation.SUPERSEDES,
                user,
                note=f"edited in review item {item.id}",
            )
        )
    store.add_claims(corrected, links=links)
    payload = {
        "claims": list(item.claims),
        "changes": dict(changes),
        "corrected": [c.id for c in corrected],
    }
    store.deals.decide(ReviewDecision(item.id, item.type, "edit", user, None, payload))
    return item


def _edited(old: Claim, changes: Mapping[str, str], inbox: Inbox, user: str) -> Claim:
    fields: dict[str, Any] = {
        "origin": f"review:{user}",
        "confidence": 1.0,
        "rank": Rank.NORMAL,
        "rank_reason": "edited by a reviewer",
        "created_at": None,
    }
    for name in ("subject", "object"):
        if name in changes:
            entity = changes[name].strip()
            if _canon(inbox, entity) not in inbox.known_entities:
                raise ReviewError(f"{name}: unknown entity {entity!r}")
            fields[f"{name}_id"] = entity
            if name == "subject":
                fields["co_subject_ids"] = ()
    if "kind" in changes:
        try:
            fields["kind"] = ClaimKind(changes["kind"])
        except ValueError:
            raise ReviewError(f"kind: unknown kind {changes['kind']!r}") from None
    if "amount" in changes:
        if old.quantity is None:
            raise ReviewError("amount: this claim has no amount")
        try:
            amount = Decimal(changes["amount"].strip())
        except ArithmeticError:
            raise ReviewError(f"amount: not a number: {changes['amount']!r}") from None
        fields["quantity"] = Quantity(amount, old.quantity.unit, old.quantity.bound)
    if "period" in changes:
        period = changes["period"].strip()
        if not re.fullmatch(r"total|per_year|over_\d{1,2}_years", period):
            raise ReviewError("period: total, per_year or over_N_years")
        fields["period"] = period
    return replace(old, **fields)


def auto_accept_setting() -> str:
    """``off`` (default) or ``primary`` (from ``STARGATE_AUTO_ACCEPT``)."""
    value = os.environ.get("STARGATE_AUTO_ACCEPT", "off").strip().lower() or "off"
    if value not in {"off", "primary"}:
        raise ReviewError(f"STARGATE_AUTO_ACCEPT: {value!r} is not 'off' or 'primary'")
    return value


def attach_corroborations(store: Store) -> int:
    """Attach extracted claims that repeat a figure an agreement already has (no review: they
    change no value, only add quotes); returns how many were attached."""
    inbox = read_inbox(store)
    links = _plan(inbox).corroborations
    if not links:
        return 0
    return store.deals.declare([], links)[1]


def auto_accept(store: Store, sources: set[str] | None = None) -> list[ReviewItem]:
    """Under ``STARGATE_AUTO_ACCEPT=primary``, accept the problem-free items whose claims all come
    from primary sources with confidence at least :data:`AUTO_ACCEPT_CONFIDENCE`."""
    if auto_accept_setting() == "off":
        return []
    inbox = read_inbox(store)
    accepted = []
    for item in pending(inbox, sources):
        claims = [inbox.claims[c] for c in item.claims]
        if item.problems or not claims:
            continue
        if all(
            c.claim.confidence >= AUTO_ACCEPT_CONFIDENCE
            and inbox.sources[c.claim.source_id].source_type in PRIMARY
            for c in claims
        ):
            accepted.append(accept(store, item.id, "auto"))
    return accepted


def worlds_before_and_after(
    store: Store, items: Sequence[ReviewItem], as_of: date | None = None
) -> tuple[Any, Any]:
    """The World now, and the World if ``items`` (problem-free ones) were accepted; nothing is
    written to the store."""
    from stargate.world.curated import bundled
    from stargate.world.world import Evidence, build_world, with_bundled_curation

    sources = {s.id: s for s in store.sources()}
    evidence = Evidence(
        store.entities(),
        sources,
        store.claims(),
        store.claim_links(),
        store.canonical_ids(),
        store.deals.all(),
        store.deals.links(),
    )
    evidence = with_bundled_curation(evidence)
    before = build_world(evidence, bundled(), as_of=as_of)
    inbox = read_inbox(store, as_of)
    deals: list[Deal] = []
    links: list[DealClaim] = []
    for item in items:
        if item.problems:
            continue
        made, attached = decision_records(inbox, item, "what-if")
        deals += made
        links += attached
    after = build_world(
        replace(
            evidence, deals=[*evidence.deals, *deals], deal_links=[*evidence.deal_links, *links]
        ),
        bundled(),
        as_of=as_of,
    )
    return before, after
