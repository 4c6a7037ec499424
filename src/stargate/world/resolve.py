"""The resolution rule: claims (and people's judgements) -> one resolved value per proposition.

Rule ``resolve-1`` (after Wikidata's statement ranks and nomenklatura's statement model,
https://www.wikidata.org/wiki/Help:Ranking and https://github.com/opensanctions/nomenklatura;
``docs/records.md``), in order:

1. Subjects and objects map to canonical entities through live positive judgements.
2. Retracted and deprecated claims are dropped (the effective rank counts, so a person's review
   wins), and so are claims superseded through a live ``supersedes`` link.
3. Claims group by proposition: (subjects, object, kind, unit, period, time slot), where the slot
   is the year of ``valid_from`` when stated.
4. If the group has a preferred claim, only the preferred claims count.
5. Copies count once: claims linked ``same_as`` and claims with the same quote text.
6. Each asserting claim is an interval: exact ±1.5% (rounding in reporting), ``approx`` ±10%,
   ``at_least`` [a, ∞), ``at_most`` [0, a], a range [a, b]. If all intervals intersect, the value is
   the intersection (state ``single`` for one claim, ``consistent`` when it is narrow, ``range``
   otherwise). If they do not, the state is ``disputed`` and the value is a mixture: clusters of
   mutually agreeing claims, each weighted by its claims' status × source type × independent
   sources (weights in ``STATUS_WEIGHT``, ``SOURCE_WEIGHT``), normalised to 1.
7. Denials: asserting and denying claims -> ``disputed``, the denial adding a component with no
   value (a denial of "< $10B" is not evidence for "≥ $10B"); only denials -> ``denied``.
8. Every resolved value lists its supporting and dissenting claims and the rule version.

The display value of a disputed proposition is the median of the heaviest component.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from stargate.ledger.records import (
    ClaimLink,
    ClaimStatus,
    Polarity,
    Rank,
    Relation,
    Source,
    SourceType,
    StoredClaim,
)
from stargate.units import Bound

RULE_VERSION: Final = "resolve-1"
EXACT_TOLERANCE: Final = Decimal("0.015")
APPROX_TOLERANCE: Final = Decimal("0.10")
NARROW: Final = Decimal("0.05")  # an intersection within ±5% of its middle is "consistent"

STATUS_WEIGHT: Final[Mapping[ClaimStatus, float]] = {
    ClaimStatus.COMPLETED: 1.0,
    ClaimStatus.ANNOUNCED: 0.9,
    ClaimStatus.PLANNED: 0.7,
    ClaimStatus.REPORTED: 0.6,
    ClaimStatus.DISPUTED: 0.5,
    ClaimStatus.DENIED: 0.5,
}
SOURCE_WEIGHT: Final[Mapping[SourceType, float]] = {
    SourceType.OFFICIAL_REGISTER: 1.0,
    SourceType.VERIFIED: 0.95,
    SourceType.SELF_DECLARATION: 0.9,
    SourceType.PRIMARY_RESEARCH: 0.8,
    SourceType.THIRD_PARTY: 0.7,
    SourceType.ANONYMOUS: 0.4,
}


@dataclass(frozen=True, slots=True)
class Proposition:
    subjects: tuple[str, ...]
    object_id: str | None
    kind: str
    unit: str
    period: str | None
    slot: str | None


@dataclass(frozen=True, slots=True)
class Component:
    """One side of a mixture: an interval (None = open) and its weight; a denial has no value."""

    low: Decimal | None
    high: Decimal | None
    weight: float
    claims: tuple[str, ...]
    denial: bool = False

    @property
    def middle(self) -> Decimal | None:
        if self.low is not None and self.high is not None:
            return (self.low + self.high) / 2
        return self.low if self.low is not None else self.high


@dataclass(frozen=True, slots=True)
class Resolved:
    proposition: Proposition
    state: str  # single | consistent | range | disputed | denied
    low: Decimal | None
    high: Decimal | None
    value: Decimal | None
    components: tuple[Component, ...]
    supporting: tuple[str, ...]
    dissenting: tuple[str, ...]
    rule_version: str = field(default=RULE_VERSION)


def interval(claim: StoredClaim) -> tuple[Decimal | None, Decimal | None]:
    q = claim.claim.quantity
    if q.amount_max is not None and q.amount_max != q.amount and q.bound is not Bound.AT_MOST:
        return q.amount, q.amount_max
    if q.bound is Bound.AT_LEAST:
        return q.amount, None
    if q.bound is Bound.AT_MOST:
        return Decimal(0), q.amount_max or q.amount
    tolerance = APPROX_TOLERANCE if q.bound is Bound.APPROX else EXACT_TOLERANCE
    return q.amount * (1 - tolerance), q.amount * (1 + tolerance)


def _intersect(
    a: tuple[Decimal | None, Decimal | None], b: tuple[Decimal | None, Decimal | None]
) -> tuple[Decimal | None, Decimal | None] | None:
    low = max((x for x in (a[0], b[0]) if x is not None), default=None)
    high = min((x for x in (a[1], b[1]) if x is not None), default=None)
    if low is not None and high is not None and low > high:
        return None
    return low, high


def proposition(claim: StoredClaim, canonical: Mapping[str, str]) -> Proposition:
    c = claim.claim

    def canon(entity_id: str | None) -> str | None:
        return None if entity_id is None else canonical.get(entity_id, entity_id)

    subjects = tuple(sorted({canon(s) or s for s in c.subjects}))
    slot = c.valid_from[:4] if c.valid_from else None
    return Proposition(subjects, canon(c.object_id), str(c.kind), c.quantity.unit, c.period, slot)


def _weight(claim: StoredClaim, sources: Mapping[str, Source]) -> float:
    source = sources.get(claim.claim.source_id)
    source_weight = SOURCE_WEIGHT[source.source_type] if source is not None else 0.7
    return STATUS_WEIGHT.get(claim.claim.status, 0.5) * source_weight


def live_claims(claims: Iterable[StoredClaim], links: Iterable[ClaimLink]) -> list[StoredClaim]:
    """Claims that count: not retracted, not deprecated, not superseded by a live link."""
    superseded = {
        link.right_claim for link in links
        if link.relation is Relation.SUPERSEDES and link.deleted_at is None
    }  # fmt: skip
    return [
        c for c in claims
        if c.claim.retracted_at is None and c.effective_rank is not Rank.DEPRECATED
        and c.id not in superseded
    ]  # fmt: skip


def resolve(
    claims: Iterable[StoredClaim],
    links: Sequence[ClaimLink] = (),
    canonical: Mapping[str, str] | None = None,
    sources: Mapping[str, Source] | None = None,
) -> list[Resolved]:
    """Resolve every proposition; the result does not depend on the order of ``claims``."""
    canonical = canonical or {}
    sources = sources or {}
    groups: dict[Proposition, list[StoredClaim]] = defaultdict(list)
    for claim in live_claims(claims, links):
        groups[proposition(claim, canonical)].append(claim)
    same_as = _same_as(links)
    return [
        _resolve_group(key, sorted(group, key=lambda c: c.id), same_as, sources)
        for key, group in sorted(groups.items(), key=lambda item: _order(item[0]))
    ]


def _order(p: Proposition) -> tuple[str, ...]:
    """A total order on propositions (None sorts first)."""
    return (",".join(p.subjects), p.object_id or "", p.kind, p.unit, p.period or "", p.slot or "")


def _same_as(links: Iterable[ClaimLink]) -> dict[str, str]:
    """Claim id -> representative of its ``same_as`` group (the smallest id)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for link in links:
        if link.relation is Relation.SAME_AS and link.deleted_at is None:
            a, b = sorted((root(link.left_claim), root(link.right_claim)))
            parent[b] = a
    return {x: root(x) for x in parent}


def _resolve_group(
    key: Proposition,
    group: list[StoredClaim],
    same_as: Mapping[str, str],
    sources: Mapping[str, Source],
) -> Resolved:
    preferred = [c for c in group if c.effective_rank is Rank.PREFERRED]
    if preferred:
        group = preferred
    # copies count once: same_as links and identical quotes
    seen: set[str] = set()
    unique: list[StoredClaim] = []
    for claim in group:
        token = (
            same_as.get(claim.id)
            or f"quote:{claim.claim.polarity}:{' '.join(claim.claim.quote.split())}"
        )
        if token not in seen:
            seen.add(token)
            unique.append(claim)
    asserting = [c for c in unique if c.claim.polarity is Polarity.ASSERTS]
    denying = [c for c in unique if c.claim.polarity is Polarity.DENIES]
    supporting = tuple(c.id for c in asserting)
    dissenting = tuple(c.id for c in denying)
    if not asserting:
        denial = Component(None, None, 1.0, dissenting, denial=True)
        return Resolved(key, "denied", None, None, None, (denial,), (), dissenting)
    clusters = _clusters(asserting, sources)
    if denying:
        weight = sum(
            _weight(c, sources) * _independent(denying, sources) / len(denying) for c in denying
        )
        clusters.append(Component(None, None, weight, dissenting, denial=True))
    total = sum(c.weight for c in clusters) or 1.0
    components = tuple(
        Component(c.low, c.high, round(c.weight / total, 6), c.claims, c.denial) for c in clusters
    )
    if len(components) == 1:
        only = components[0]
        state = "single" if len(asserting) == 1 else _narrowness(only.low, only.high)
        return Resolved(key, state, only.low, only.high, _display(only, asserting), components,
                        supporting, dissenting)  # fmt: skip
    valued = [c for c in components if not c.denial]
    heaviest = max(valued, key=lambda c: (c.weight, -(c.middle or 0)))
    low = min((c.low for c in valued if c.low is not None), default=None)
    high = None if any(c.high is None for c in valued) else max(c.high for c in valued if c.high)
    return Resolved(key, "disputed", low, high, _display(heaviest, asserting), components,
                    supporting, dissenting)  # fmt: skip


def _clusters(claims: list[StoredClaim], sources: Mapping[str, Source]) -> list[Component]:
    """Groups of claims whose intervals share a point (sweep over intervals sorted by start)."""
    spans = sorted(
        ((interval(c), c) for c in claims),
        key=lambda item: (item[0][0] if item[0][0] is not None else Decimal(0), item[1].id),
    )
    clusters: list[tuple[tuple[Decimal | None, Decimal | None], list[StoredClaim]]] = []
    for span, claim in spans:
        if clusters and (joined := _intersect(clusters[-1][0], span)) is not None:
            clusters[-1] = (joined, [*clusters[-1][1], claim])
        else:
            clusters.append((span, [claim]))
    return [
        Component(span[0], span[1], sum(_weight(c, sources) for c in members) *
                  _independent(members, sources) / len(members), tuple(c.id for c in members))
        for span, members in clusters
    ]  # fmt: skip


def _independent(claims: Sequence[StoredClaim], sources: Mapping[str, Source]) -> int:
    """Independent corroboration: distinct publishers (or sources when the publisher is unknown)."""
    return len({
        (sources[c.claim.source_id].publisher if c.claim.source_id in sources
         and sources[c.claim.source_id].publisher else c.claim.source_id)
        for c in claims
    })  # fmt: skip


def _narrowness(low: Decimal | None, high: Decimal | None) -> str:
    if low is None or high is None:
        return "range"
    middle = (low + high) / 2
    return "consistent" if middle and (high - low) / 2 <= middle * NARROW else "range"


def _display(component: Component, claims: list[StoredClaim]) -> Decimal | None:
    """The stated figure closest to the component's middle (a real number someone said)."""
    members = [c for c in claims if c.id in component.claims]
    middle = component.middle
    if not members or middle is None:
        return middle
    return min((c.claim.quantity.amount for c in members), key=lambda a: (abs(a - middle), a))
