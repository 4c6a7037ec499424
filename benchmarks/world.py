"""Building the World from the ledger's records: 5,000 claims (the curated dataset's and
synthetic news claims about the same parties), resolved and assembled as of today.

Target (issue "The ledger drives the World"): <= 1 s for 5,000 claims. Reference measured in the
same run: resolving the same claims alone (rule resolve-2), the floor of any World build. The
last line is one JSON object.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from decimal import Decimal

from stargate.evidence.entities import load_gazetteer
from stargate.ledger.records import Claim, ClaimKind, ClaimStatus, Rank, Source, StoredClaim
from stargate.units import Quantity
from stargate.world.curated import bundled
from stargate.world.curation import curated_records, seed_sources, site_entities
from stargate.world.resolve import resolve
from stargate.world.world import Evidence, build_world

TARGET_S = 1.0
CLAIMS = 5_000
REPEATS = 5


def synthetic(count: int, parties: list[tuple[str, str]], seed: int = 7) -> tuple[
    list[Source], list[StoredClaim]
]:  # fmt: skip
    rng = random.Random(seed)
    sources, claims = [], []
    for n in range(count):
        payer, payee = rng.choice(parties)
        text = f"{payer} will pay {payee} ${rng.randint(1, 90)} billion, report {n}."
        source = Source(id=f"news-{n // 4}", text=text, published_at=f"202{rng.randint(4, 6)}")
        if n % 4 == 0:
            sources.append(source)
        kind = rng.choice([ClaimKind.CONTRACT, ClaimKind.INVESTMENT, ClaimKind.CAPACITY])
        unit = "GW" if kind is ClaimKind.CAPACITY else "USD"
        amount = (
            Decimal(rng.randint(1, 10)) if unit == "GW" else Decimal(rng.randint(1, 90)) * 10**9
        )
        claim = Claim(source.id, kind, Quantity(amount, unit), text, 0, len(text), "bench 1",
                      subject_id=payer, object_id=payee, period="total" if unit == "USD" else None,
                      status=rng.choice(list(ClaimStatus)[:4]), confidence=0.9)  # fmt: skip
        claims.append(StoredClaim(claim.id, claim, Rank.NORMAL, None))
    return sources, claims


def main() -> None:
    curated = bundled()
    seeds = seed_sources()
    records = curated_records(curated, seeds)
    gazetteer = load_gazetteer()
    entities = [*gazetteer, *site_entities(curated, {e.id for e in gazetteer})]
    parties = sorted({(a.payer[0], a.payee) for a in curated.agreements if a.payee})
    news_sources, news = synthetic(CLAIMS - len(records.claims), parties)
    stored = [StoredClaim(c.id, c, Rank.NORMAL, None) for c in records.claims] + news
    sources = {s.id: s for s in [*seeds.values(), *records.sources, *news_sources]}
    evidence = Evidence(entities, sources, stored, (), {}, records.deals, records.links)
    times, floors = [], []
    for _ in range(REPEATS):
        start = time.perf_counter()
        resolve(stored, (), {}, sources)
        floors.append(time.perf_counter() - start)
        start = time.perf_counter()
        world = build_world(evidence, curated)
        times.append(time.perf_counter() - start)
    build, floor = statistics.median(times), statistics.median(floors)
    print(f"claims                 {len(stored):>8,}")
    print(f"agreements             {len(world.agreements):>8,}")
    print(f"resolved propositions  {len(world.resolved):>8,}")
    print(f"resolve alone (floor)  {floor:>8.3f} s")
    print(f"build the World        {build:>8.3f} s   (target {TARGET_S:.1f} s, "
          f"{build / floor:.1f}x the floor)")  # fmt: skip
    print(json.dumps({"claims": len(stored), "build_s": round(build, 4),
                      "resolve_s": round(floor, 4), "ratio_to_resolve": round(build / floor, 2),
                      "within_target": build <= TARGET_S}))  # fmt: skip


if __name__ == "__main__":
    main()
