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

Rule ``resolve-2`` (the default) keeps 1–8 and changes three things:

- *Copies* are claims with the same normalised quote **and** the same figure (or a ``same_as``
  link): two facts in one quote stay two facts (CoreWeave's "$4B more, on top of $11.9B").
- *Several*: when the claims that disagree all come from one excerpt, they are distinct facts
  stated together (a base and an addition), not a dispute: state ``several``, every figure kept
  as a component.
- *Revisions*: a cluster of agreeing claims is dated by the latest statement date of its claims
  (``stated_at``, else the source's publication date). When clusters disagree and the latest one
  is dated strictly after every other, and its claims are announced or completed or come from a
  source at least as reliable as the others, it **revises** them: state ``revised``, value the
  latest figure, the earlier clusters kept as dated components (weight 0) and listed in
  ``revised``, not as dissent. Undated clusters neither revise nor are revised.
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

RULE_V1: Final = "resolve-1"
RULE_V2: Final = "resolve-2"
RULES: Final = (RULE_V1, RULE_V2)
RULE_VERSION: Final = RULE_V2  # the default
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
    """One side of a mixture: an interval (None = open) and its weight; a denial has no value.
    ``dated`` is the latest statement date of its claims (rule ``resolve-2``)."""

    low: Decimal | None
    high: Decimal | None
    weight: float
    claims: tuple[str, ...]
    denial: bool = False
    dated: str | None = None

    @property
    def middle(self) -> Decimal | None:
        if self.low is not None and self.high is not None:
            return (self.low + self.high) / 2
        return self.low if self.low is not None else self.high


@dataclass(frozen=True, slots=True)
class Resolved:
    proposition: Proposition
    state: str  # single | consistent | range | disputed | denied | several | revised
    low: Decimal | None
    high: Decimal | None
    value: Decimal | None
    components: tuple[Component, ...]
    supporting: tuple[str, ...]
    dissenting: tuple[str, ...]
    rule_version: str = field(default=RULE_VERSION)
    revised: tuple[str, ...] = ()  # claims an later figure replaced (resolve-2)


def interval(claim: StoredClaim) -> tuple[Decimal | None, Decimal | None]:
    q = claim.claim.quantity
    if q is None:
        raise ValueError(f"claim {claim.id} has no quantity to resolve")
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
    unit = c.quantity.unit if c.quantity is not None else ""
    return Proposition(subjects, canon(c.object_id), str(c.kind), unit, c.period, slot)


def statement_date(claim: StoredClaim, sources: Mapping[str, Source]) -> str | None:
    """When the claim was said: its ``stated_at``, else its source's publication date."""
    if claim.claim.stated_at:
        return claim.claim.stated_at
    source = sources.get(claim.claim.source_id)
    return source.published_at if source is not None else None


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
    rule: str = RULE_VERSION,
) -> list[Resolved]:
    """Resolve every proposition with ``rule`` (``resolve-1`` or ``resolve-2``); the result does
    not depend on the order of ``claims``, and adding copies of claims changes nothing."""
    if rule not in RULES:
        raise ValueError(f"unknown resolution rule {rule!r}; choose one of {', '.join(RULES)}")
    canonical = canonical or {}
    sources = sources or {}
    groups: dict[Proposition, dict[str, StoredClaim]] = defaultdict(dict)
    for claim in live_claims(claims, links):
        if claim.claim.quantity is None:
            continue  # coded claims (statuses, sites, conditions) are read by the deals
        groups[proposition(claim, canonical)][claim.id] = claim
    same_as = _same_as(links)
    return [
        resolve_group(key, sorted(group.values(), key=lambda c: c.id), same_as, sources, rule)
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


def _copy_token(claim: StoredClaim, same_as: Mapping[str, str], rule: str) -> str:
    """Claims with the same token are copies of one statement and count once."""
    if claim.id in same_as:
        return same_as[claim.id]
    c = claim.claim
    token = f"quote:{c.polarity}:{' '.join(c.quote.split())}"
    if rule == RULE_V2 and c.quantity is not None:
        q = c.quantity
        token += f":{_figure(q.amount)}:{_figure(q.amount_max)}:{q.bound}"
    return token


def _figure(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def resolve_group(
    key: Proposition,
    group: list[StoredClaim],
    same_as: Mapping[str, str],
    sources: Mapping[str, Source],
    rule: str = RULE_VERSION,
) -> Resolved:
    preferred = [c for c in group if c.effective_rank is Rank.PREFERRED]
    if preferred:
        group = preferred
    # copies count once: same_as links and identical quotes (resolve-2: and figures); the copy
    # kept is the first published (then the smallest source and claim id), so that adding a
    # later syndicated copy changes nothing
    if rule == RULE_V2:
        group = sorted(group, key=lambda c: (statement_date(c, sources) or "9999",
                                             c.claim.source_id, c.id))  # fmt: skip
    seen: set[str] = set()
    unique: list[StoredClaim] = []
    for claim in group:
        token = _copy_token(claim, same_as, rule)
        if token not in seen:
            seen.add(token)
            unique.append(claim)
    unique.sort(key=lambda c: c.id)
    asserting = [c for c in unique if c.claim.polarity is Polarity.ASSERTS]
    denying = [c for c in unique if c.claim.polarity is Polarity.DENIES]
    supporting = tuple(c.id for c in asserting)
    dissenting = tuple(c.id for c in denying)
    if not asserting:
        denial = Component(None, None, 1.0, dissenting, denial=True)
        return Resolved(key, "denied", None, None, None, (denial,), (), dissenting, rule)
    clusters = _clusters(asserting, sources)
    if rule == RULE_V2 and len(clusters) > 1:
        special = _several_or_revised(key, clusters, asserting, denying, sources)
        if special is not None:
            return special
    if denying:
        weight = sum(
            _weight(c, sources) * _independent(denying, sources) / len(denying) for c in denying
        )
        clusters.append(Component(None, None, weight, dissenting, denial=True))
    total = sum(c.weight for c in clusters) or 1.0
    components = tuple(
        Component(c.low, c.high, round(c.weight / total, 6), c.claims, c.denial, c.dated)
        for c in clusters
    )
    if len(components) == 1:
        only = components[0]
        state = "single" if len(asserting) == 1 else _narrowness(only.low, only.high)
        return Resolved(key, state, only.low, only.high, display_value(only, asserting), components,
                        supporting, dissenting, rule)  # fmt: skip
    valued = [c for c in components if not c.denial]
    heaviest = max(valued, key=lambda c: (c.weight, -(c.middle or 0)))
    low = min((c.low for c in valued if c.low is not None), default=None)
    high = None if any(c.high is None for c in valued) else max(c.high for c in valued if c.high)
    return Resolved(key, "disputed", low, high, display_value(heaviest, asserting), components,
                    supporting, dissenting, rule)  # fmt: skip


def _several_or_revised(
    key: Proposition,
    clusters: list[Component],
    asserting: list[StoredClaim],
    denying: list[StoredClaim],
    sources: Mapping[str, Source],
) -> Resolved | None:
    """Rule ``resolve-2``'s two readings of disagreeing clusters that are not a dispute."""
    by_id = {c.id: c for c in asserting}
    excerpts = {(by_id[i].claim.source_id, by_id[i].claim.start, by_id[i].claim.end)
                for cluster in clusters for i in cluster.claims}  # fmt: skip
    supporting = tuple(c.id for c in asserting)
    dissenting = tuple(c.id for c in denying)
    if len(excerpts) == 1 and not denying:
        parts = tuple(Component(c.low, c.high, 1.0, c.claims) for c in clusters)
        low = min((c.low for c in parts if c.low is not None), default=None)
        high = None if any(c.high is None for c in parts) else max(c.high for c in parts if c.high)
        return Resolved(key, "several", low, high, None, parts, supporting, dissenting, RULE_V2)
    dated = clusters
    latest = max(dated, key=lambda c: c.dated or "")
    others = [c for c in dated if c is not latest]
    if latest.dated is None or any(c.dated is None or c.dated >= latest.dated for c in others):
        return None
    newest = [by_id[i] for i in latest.claims]
    older = [by_id[i] for c in others for i in c.claims]
    firm = all(c.claim.status in {ClaimStatus.ANNOUNCED, ClaimStatus.COMPLETED} for c in newest)
    reliable = min(_weight(c, sources) / STATUS_WEIGHT.get(c.claim.status, 0.5) for c in newest)
    if not firm and reliable < max(
        _weight(c, sources) / STATUS_WEIGHT.get(c.claim.status, 0.5) for c in older
    ):
        return None
    components = (
        Component(latest.low, latest.high, 1.0, latest.claims, dated=latest.dated),
        *(Component(c.low, c.high, 0.0, c.claims, dated=c.dated)
          for c in sorted(others, key=lambda c: c.dated or "", reverse=True)),
    )  # fmt: skip
    state_supporting = tuple(c.id for c in newest)
    return Resolved(key, "revised", latest.low, latest.high, display_value(latest, newest),
                    components, state_supporting, dissenting, RULE_V2,
                    revised=tuple(c.id for c in older))  # fmt: skip


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
                  _independent(members, sources) / len(members), tuple(c.id for c in members),
                  dated=max((d for c in members if (d := statement_date(c, sources))),
                            default=None))
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


def display_value(component: Component, claims: list[StoredClaim]) -> Decimal | None:
    """The stated figure closest to the component's middle (a real number someone said)."""
    members = [c for c in claims if c.id in component.claims and c.claim.quantity is not None]
    middle = component.middle
    if not members or middle is None:
        return middle
    amounts = [c.claim.quantity.amount for c in members if c.claim.quantity is not None]
    return min(amounts, key=lambda a: (abs(a - middle), a))
