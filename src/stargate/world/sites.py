"""Sites from claims: a site entity's power and status over time, and its parties.

- power: capacity claims (GW) whose subject is the site, dated by their valid time (else their
  statement date); at one date the latest-stated figure counts;
- status: status claims about the site (announced, planned, under construction, operational);
- parties: ``site`` claims whose object is the site and whose value names the role (owner,
  tenant, offtaker) of their subject; the latest-stated one counts.

Each row lists the claims and sources it rests on. The power basis (IT or facility power) is the
curated site's, since sources rarely say.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from stargate.ledger.records import ClaimKind, Entity, EntityType, Source, StoredClaim
from stargate.world.curated import Curated
from stargate.world.resolve import statement_date

ROLES: Final = ("owner", "tenant", "offtaker")


def site_rows(
    claims: Iterable[StoredClaim],
    entities: Sequence[Entity],
    curated: Curated,
    names: Mapping[str, str],
    sources: Mapping[str, Source],
    canonical: Mapping[str, str],
) -> list[dict[str, Any]]:
    """One row per site and date at which its power or status was stated."""
    sites = {e.id for e in entities if e.type is EntityType.SITE}
    bases = {s.id: s.power_basis for s in curated.sites}

    def canon(entity: str | None) -> str | None:
        return None if entity is None else canonical.get(entity, entity)

    points: dict[str, dict[str, dict[str, list[StoredClaim]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    parties: dict[str, dict[str, list[StoredClaim]]] = defaultdict(lambda: defaultdict(list))
    for claim in claims:
        c = claim.claim
        subject = canon(c.subject_id)
        if c.kind in {ClaimKind.CAPACITY, ClaimKind.STATUS} and subject in sites:
            when = c.valid_from or statement_date(claim, sources) or ""
            what = "power" if c.kind is ClaimKind.CAPACITY else "status"
            if c.kind is ClaimKind.CAPACITY and (c.quantity is None or c.quantity.unit != "GW"):
                continue
            points[subject][when][what].append(claim)
        elif c.kind is ClaimKind.SITE and c.value in ROLES and canon(c.object_id) in sites:
            parties[str(canon(c.object_id))][c.value].append(claim)

    def latest(found: list[StoredClaim]) -> StoredClaim:
        return max(found, key=lambda c: (statement_date(c, sources) or "", c.id))

    rows = []
    for site in sorted(set(points) | set(parties)):
        who = {role: latest(found) for role, found in parties[site].items()}
        party_ids = [c.id for c in who.values()]
        for when, facts in sorted(points[site].items()):
            power = latest(facts["power"]) if facts.get("power") else None
            status = latest(facts["status"]) if facts.get("status") else None
            used = [c for c in (power, status) if c is not None]
            rows.append({
                "site_id": site, "name": names.get(site, site),
                **{role: canon(who[role].claim.subject_id) if role in who else None
                   for role in ROLES},
                "date": when or None,
                "power_gw": float(power.claim.quantity.amount)
                if power is not None and power.claim.quantity is not None else None,
                "power_basis": bases.get(site, "unknown"),
                "status": status.claim.value if status is not None else None,
                "claims": [c.id for c in used] + party_ids,
                "sources": sorted({c.claim.source_id for c in used}
                                  | {c.claim.source_id for c in who.values()}),
            })  # fmt: skip
    return rows
