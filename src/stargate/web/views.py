"""What each page shows, as plain JSON data: the HTML page renders it and its ``.json`` twin and
``/api/`` route return it unchanged (Datasette's two-faced view contract, docs/web.md)."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from typing import Any

import pandas as pd

from stargate.analysis.circularity import cycles
from stargate.analysis.gap import project_gap
from stargate.errors import StargateError
from stargate.jsonable import jsonable
from stargate.ledger.records import StoredClaim
from stargate.web.snapshot import Snapshot

MAX_PAGE_SIZE = 200


class NotFoundError(StargateError, LookupError):
    """The page names something the store does not hold."""


def cleaned(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = jsonable(data)
    return out


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [jsonable(row) for row in frame.to_dict("records")]


def paginate(items: list[Any], page: int, size: int) -> dict[str, Any]:
    """One page of a list, with the totals a client needs to walk it."""
    total = len(items)
    pages = max(1, math.ceil(total / size))
    start = (page - 1) * size
    return {
        "page": page, "size": size, "total": total, "pages": pages,
        "items": items[start : start + size],
        "next_page": page + 1 if page < pages else None,
        "previous_page": page - 1 if page > 1 else None,
    }  # fmt: skip


def _split(value: Any) -> list[str]:
    """A list column's items (lists stay lists; a comma-joined string is split)."""
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v]
    return [part for part in str(value or "").split(",") if part]


def _max(values: Any) -> float:
    """The largest stated figure (0 when none is stated)."""
    stated = values.dropna()
    return float(stated.max()) if len(stated) else 0.0


# -- overview -----------------------------------------------------------------------------------


def _capacity(world: Any) -> dict[str, Any]:
    """GW announced (largest figure per site), under construction (latest state) and
    operational (largest operational figure), summed over the curated sites."""
    totals = {"announced_gw": 0.0, "under_construction_gw": 0.0, "operational_gw": 0.0}
    sites = []
    for site_id, rows in world.sites.groupby("site_id", sort=False):
        rows = rows.sort_values("date")
        latest = rows.iloc[-1]
        operational = rows[rows["status"] == "operational"]["power_gw"]
        building = (
            latest["status"] == "under_construction" and latest["power_gw"] == latest["power_gw"]
        )
        state = {
            "site_id": site_id, "name": latest["name"], "owner": latest["owner"],
            "announced_gw": _max(rows["power_gw"]),
            "operational_gw": _max(operational),
            "under_construction_gw": float(latest["power_gw"]) if building else 0.0,
            "latest_status": latest["status"], "latest_date": latest["date"],
        }  # fmt: skip
        for key in totals:
            totals[key] += state[key]
        sites.append(state)
    return {**totals, "sites": sites, "basis": "power as quoted (IT or facility, see each site)"}


def _graph(snapshot: Snapshot) -> dict[str, Any]:
    agreements = snapshot.world.agreements
    in_cycle: set[tuple[str, str]] = set()
    found = cycles(agreements)
    for cycle in found:
        in_cycle.update((a, b) for a, b, _ in cycle.edges)
    roles = dict(zip(snapshot.world.entities["id"], snapshot.world.entities["role"], strict=True))
    nodes: dict[str, dict[str, Any]] = {}
    edges = []
    for row in agreements.to_dict("records"):
        payee = row["payee"] or row["site"]
        if not payee:
            continue
        for payer in _split(row["payers"]):
            for node in (payer, payee):
                nodes.setdefault(node, {"id": node, "name": snapshot.name(node),
                                        "role": jsonable(roles.get(node)) or "other"})  # fmt: skip
            edges.append({
                "id": f"{row['id']}:{payer}", "agreement": row["id"], "source": payer,
                "target": payee, "kind": row["kind"], "amount_usd": jsonable(row["amount_usd"]),
                "name": row["name"], "circular": (payer, payee) in in_cycle,
            })  # fmt: skip
    return {
        "nodes": sorted(nodes.values(), key=lambda n: n["id"]),
        "edges": edges,
        "cycles": [{"nodes": list(c.nodes), "edges": [list(e) for e in c.edges]} for c in found],
    }


def _flows(world: Any) -> dict[str, list[dict[str, Any]]]:
    by_year: dict[str, list[dict[str, Any]]] = {}
    payments = world.payments.groupby(["year", "payer", "payee"], dropna=False, observed=True)[
        "amount_usd"
    ].sum()
    for (year, payer, payee), amount in payments.items():
        if not payee or (isinstance(payee, float) and math.isnan(payee)):
            continue
        by_year.setdefault(str(year), []).append(
            {"source": payer, "target": payee, "amount_usd": float(amount)}
        )
    return by_year


SCALE_BACKS = frozenset({"on_ice", "cancelled"})


def _phase(status: str, polarity: str = "asserts") -> str:
    """Group statuses for the time line: announcements, progress, scale-backs, denials."""
    if polarity == "denies" or status in {"denied", "disputed"}:
        return "denial or dispute"
    if status in SCALE_BACKS:
        return "scale-back"
    if status in {"announced", "reported", "planned", "in_talks", "letter_of_intent"}:
        return "announcement"
    return "progress"


def _timeline(snapshot: Snapshot) -> list[dict[str, Any]]:
    """Dated events: each agreement's status changes (curated) and each claim whose source is
    dated, oldest first."""
    rows = []
    world = snapshot.world
    agreements = {a["id"]: a for a in records(world.agreements)}
    for change in records(world.agreement_status):
        a = agreements[change["agreement_id"]]
        status = str(change["status"])
        if not change["date"]:
            continue
        rows.append({
            "date": change["date"], "phase": _phase(status), "status": status, "kind": a["kind"],
            "label": f"{a['name']}: {status.replace('_', ' ')}",
            "amount_usd": a["amount_usd"], "url": f"/agreements/{a['id']}",
        })  # fmt: skip
    for stored in snapshot.claims.values():
        source = snapshot.sources.get(stored.claim.source_id)
        if source is None or not source.published_at:
            continue
        c = snapshot.claim_json(stored)
        rows.append({
            "date": source.published_at[:10], "phase": _phase(c["status"], c["polarity"]),
            "status": c["status"], "kind": c["kind"],
            "label": f"{', '.join(n or '?' for n in c['subject_names'])}: {c['quote'][:140]}",
            "amount_usd": c["amount"] if c["unit"] == "USD" else None,
            "url": f"/claims/{c['id']}",
        })  # fmt: skip
    return sorted(rows, key=lambda r: (r["date"], r["url"]))


def _disputed(snapshot: Snapshot, limit: int = 8) -> list[dict[str, Any]]:
    rows = snapshot.world.resolved
    wide = rows[rows["state"].isin(["disputed", "range"])].copy()
    wide["spread"] = (wide["high"].fillna(wide["value"]) - wide["low"].fillna(0)).abs()
    wide = wide.sort_values("spread", ascending=False).head(limit)
    out = []
    for row in records(wide):
        out.append({
            **{k: row[k] for k in ("kind", "unit", "period", "state", "value", "low", "high")},
            "subjects": _split(row["subjects"]), "object": row["object"],
            "subject_names": [snapshot.name(s) for s in _split(row["subjects"])],
            "supporting": _split(row["supporting"]), "dissenting": _split(row["dissenting"]),
        })  # fmt: skip
    return out


def overview(snapshot: Snapshot) -> dict[str, Any]:
    world = snapshot.world
    agreements = world.agreements
    money = {
        str(kind): float(frame["amount_usd"].sum())
        for kind, frame in agreements.groupby("kind", observed=True)
    }
    return cleaned({
        "stargate": project_gap(world),
        "agreements_by_kind_usd": money,
        "capacity": _capacity(world),
        "disputed": _disputed(snapshot),
        "graph": _graph(snapshot),
        "flows_by_year": _flows(world),
        "timeline": _timeline(snapshot),
        "counts": {"sources": len(snapshot.sources), "claims": len(snapshot.claims),
                   "entities": len(world.entities), "agreements": len(agreements)},
    })  # fmt: skip


# -- entities and agreements ----------------------------------------------------------------------


def entity_list(snapshot: Snapshot, page: int, size: int, q: str | None) -> dict[str, Any]:
    rows = sorted(records(snapshot.world.entities), key=lambda r: str(r["name"]).casefold())
    if q:
        needle = q.casefold()
        rows = [r for r in rows if needle in r["name"].casefold() or needle in r["id"]]
    for row in rows:
        row["merged_into"] = snapshot.canonical.get(row["id"], row["id"])
        if row["merged_into"] == row["id"]:
            row["merged_into"] = None
    return paginate(rows, page, size)


def _resolved_about(snapshot: Snapshot, entity_id: str) -> list[dict[str, Any]]:
    out = []
    for row in records(snapshot.world.resolved):
        subjects = _split(row["subjects"])
        if entity_id not in subjects and row["object"] != entity_id:
            continue
        out.append({
            **{k: row[k] for k in ("kind", "unit", "period", "state", "value", "low", "high",
                                   "components", "rule_version")},
            "subjects": subjects, "subject_names": [snapshot.name(s) for s in subjects],
            "object": row["object"], "object_name": snapshot.name(row["object"]),
            "supporting": [_claim(snapshot, c) for c in _split(row["supporting"])],
            "dissenting": [_claim(snapshot, c) for c in _split(row["dissenting"])],
        })  # fmt: skip
    return out


def _claim(snapshot: Snapshot, claim_id: str) -> dict[str, Any]:
    stored = snapshot.claims.get(claim_id)
    if stored is None:
        return {"id": claim_id, "missing": True}
    return snapshot.claim_json(stored, context=True)


def _members(snapshot: Snapshot, entity_id: str) -> set[str]:
    return {entity_id} | {k for k, v in snapshot.canonical.items() if v == entity_id}


def _claims_about(snapshot: Snapshot, members: set[str]) -> list[StoredClaim]:
    return [
        c for c in snapshot.claims.values()
        if members & {*c.claim.subjects, c.claim.object_id}
    ]  # fmt: skip


def entity(snapshot: Snapshot, entity_id: str) -> dict[str, Any]:
    table = snapshot.world.entities
    found = table[table["id"] == entity_id]
    if found.empty:
        raise NotFoundError(f"no entity {entity_id!r}")
    row = records(found)[0]
    canonical = snapshot.canonical.get(entity_id, entity_id)
    members = _members(snapshot, canonical)
    agreements = snapshot.world.agreements
    mine = agreements[
        agreements["payers"].map(lambda p: bool(members & set(_split(p))))
        | agreements["payee"].isin(members)
    ]
    finances = snapshot.world.finances
    priors = snapshot.world.priors
    return cleaned({
        "entity": {**row, "merged_into": None if canonical == entity_id else canonical,
                   "merged": sorted(members - {entity_id})},
        "agreements": [_agreement_row(snapshot, a) for a in records(mine)],
        "resolved": _resolved_about(snapshot, canonical),
        "finances": records(finances[finances["entity"] == entity_id]),
        "priors": records(priors[priors["entity"] == entity_id]),
        "claims": [snapshot.claim_json(c, context=True)
                   for c in _claims_about(snapshot, members)],
        "others": sorted(({"id": i, "name": n} for i, n in snapshot.names.items()
                          if i not in members), key=lambda o: str(o["name"]).casefold()),
    })  # fmt: skip


def _agreement_row(snapshot: Snapshot, row: dict[str, Any]) -> dict[str, Any]:
    payers = _split(row["payers"])
    return {
        **row, "payers": payers, "payer_names": [snapshot.name(p) for p in payers],
        "payee_name": snapshot.name(row["payee"]), "sources": _split(row["sources"]),
        "status": row["latest_status"],
    }  # fmt: skip


def agreement_list(snapshot: Snapshot, page: int, size: int, kind: str | None) -> dict[str, Any]:
    rows = records(snapshot.world.agreements)
    if kind:
        rows = [r for r in rows if r["kind"] == kind]
    rows.sort(key=lambda r: -(r["amount_usd"] or 0))
    return paginate([_agreement_row(snapshot, r) for r in rows], page, size)


def agreement(snapshot: Snapshot, agreement_id: str) -> dict[str, Any]:
    world = snapshot.world
    found = world.agreements[world.agreements["id"] == agreement_id]
    if found.empty:
        raise NotFoundError(f"no agreement {agreement_id!r}")
    row = _agreement_row(snapshot, records(found)[0])
    payments = world.payments[world.payments["agreement_id"] == agreement_id]
    cited = world.sources[world.sources["id"].isin(row["sources"])]
    ids = list(dict.fromkeys(c for ids in (row["claims"] or {}).values() for c in ids))

    def mine(table: Any) -> list[dict[str, Any]]:
        return records(table[table["agreement_id"] == agreement_id])

    return cleaned({
        "agreement": row,
        "payments": records(payments),
        "parties": mine(world.agreement_parties),
        "conditions": mine(world.agreement_conditions),
        "status_history": mine(world.agreement_status),
        "revisions": mine(world.agreement_revisions),
        "sources": records(cited),
        "claims": [_claim(snapshot, c) for c in ids],
        "claims_basis": "the claims attached to this agreement, field by field",
    })  # fmt: skip


# -- sites ----------------------------------------------------------------------------------------


def _site_rows(snapshot: Snapshot, capacity: dict[str, Any]) -> list[dict[str, Any]]:
    by_site = {s["site_id"]: s for s in capacity["sites"]}
    rows = []
    for site_id, points in snapshot.world.sites.groupby("site_id", sort=False):
        first = records(points)[0]
        rows.append({
            "id": site_id, "name": first["name"], "owner": first["owner"],
            "owner_name": snapshot.name(first["owner"]), "tenant": first["tenant"],
            "offtaker": first["offtaker"], "power_basis": first["power_basis"],
            **{k: by_site[site_id][k] for k in ("announced_gw", "under_construction_gw",
                                                 "operational_gw", "latest_status", "latest_date")},
            "timeline": [{k: p[k] for k in ("date", "power_gw", "status")}
                         for p in records(points.sort_values("date"))],
            "sources": _split(first["sources"]),
        })  # fmt: skip
    return rows


def site_list(snapshot: Snapshot) -> dict[str, Any]:
    capacity = _capacity(snapshot.world)
    rows = _site_rows(snapshot, capacity)
    totals = ("announced_gw", "under_construction_gw", "operational_gw", "basis")
    return cleaned({"items": rows, "total": len(rows), **{k: capacity[k] for k in totals}})


def site(snapshot: Snapshot, site_id: str) -> dict[str, Any]:
    rows = _site_rows(snapshot, _capacity(snapshot.world))
    found = next((row for row in rows if row["id"] == site_id), None)
    if found is None:
        raise NotFoundError(f"no site {site_id!r}")
    world = snapshot.world
    cited = world.sources[world.sources["id"].isin(found["sources"])]
    deals = world.agreements[world.agreements["site"] == site_id]
    return cleaned(
        {
            "site": found,
            "sources": records(cited),
            "agreements": [_agreement_row(snapshot, a) for a in records(deals)],
        }
    )


# -- sources and claims ---------------------------------------------------------------------------


def source_list(snapshot: Snapshot, page: int, size: int) -> dict[str, Any]:
    counts: dict[str, int] = defaultdict(int)
    for c in snapshot.claims.values():
        counts[c.claim.source_id] += 1
    rows = [
        {"id": s.id, "title": s.title, "publisher": s.publisher, "published_at": s.published_at,
         "language": s.language, "url": s.url, "license": s.license, "claims": counts[s.id],
         "characters": len(s.text)}
        for s in snapshot.sources.values()
    ]  # fmt: skip
    rows.sort(key=lambda r: (r["published_at"] or "", r["id"]))
    return paginate(rows, page, size)


def segments(text: str, spans: list[tuple[int, int, str]]) -> list[dict[str, Any]]:
    """The text cut at every span boundary; each piece lists the claims whose quote covers it
    (several claims often quote the same sentence)."""
    cuts = sorted({0, len(text), *(p for s, e, _ in spans for p in (s, e) if 0 <= p <= len(text))})
    out: list[dict[str, Any]] = []
    for start, end in itertools.pairwise(cuts):
        covering = sorted(c for s, e, c in spans if s <= start and end <= e)
        if out and covering == out[-1]["claims"]:
            out[-1]["text"] += text[start:end]
        else:
            out.append({"text": text[start:end], "claims": covering})
    return out


def source(snapshot: Snapshot, source_id: str) -> dict[str, Any]:
    found = snapshot.sources.get(source_id)
    if found is None:
        raise NotFoundError(f"no source {source_id!r}")
    claims = sorted(
        (c for c in snapshot.claims.values() if c.claim.source_id == source_id),
        key=lambda c: (c.claim.start, c.id),
    )
    return cleaned({
        "source": {"id": found.id, "title": found.title, "publisher": found.publisher,
                   "published_at": found.published_at, "language": found.language,
                   "url": found.url, "license": found.license, "kind": str(found.kind),
                   "path": found.path},
        "segments": segments(found.text, [(c.claim.start, c.claim.end, c.id) for c in claims]),
        "claims": [snapshot.claim_json(c) for c in claims],
        "entities": sorted({s for c in claims for s in (*c.claim.subjects, c.claim.object_id)
                            if s}),
        "all_entities": sorted(({"id": i, "name": n} for i, n in snapshot.names.items()),
                               key=lambda o: str(o["name"]).casefold()),
    })  # fmt: skip


def claim_list(
    snapshot: Snapshot, page: int, size: int, *, entity: str | None, kind: str | None,
    source: str | None,
) -> dict[str, Any]:  # fmt: skip
    chosen = list(snapshot.claims.values())
    if entity:
        chosen = _claims_about(snapshot, _members(snapshot, snapshot.canonical.get(entity, entity)))
    if kind:
        chosen = [c for c in chosen if str(c.claim.kind) == kind]
    if source:
        chosen = [c for c in chosen if c.claim.source_id.startswith(source)]
    rows = [snapshot.claim_json(c) for c in chosen]
    rows.sort(key=lambda r: (r["published_at"] or "", r["source_id"], r["start"]))
    return cleaned(paginate(rows, page, size))


def claim(snapshot: Snapshot, claim_id: str) -> dict[str, Any]:
    stored = snapshot.claims.get(claim_id)
    if stored is None:
        raise NotFoundError(f"no claim {claim_id!r}")
    return cleaned({"claim": snapshot.claim_json(stored, context=True)})


def stress_waterfall(
    snapshot: Snapshot, scenario: dict[str, Any], entity: str | None, ranked: list[str]
) -> dict[str, Any] | None:
    """The reference run's cash waterfall of one entity under a run's scenario, on the current
    World (``stargate stress NAME --explain ENTITY``): rows by item, columns by year."""
    from stargate.finance.explain import UnknownEntityError, waterfall
    from stargate.finance.model import build_model
    from stargate.finance.scenarios import Scenario

    chosen = entity or (ranked[0] if ranked else None)
    if chosen is None:
        return None
    try:
        model = build_model(snapshot.world, Scenario.model_validate(scenario))
        report = waterfall(model, chosen)
    except (UnknownEntityError, StargateError, ValueError):
        raise NotFoundError(f"no waterfall for {chosen!r} under this run's scenario") from None
    years = list(report["years"])
    rows = []
    for side in ("cash_in", "cash_out"):
        for item in sorted({k for y in years for k in report["years"][y][side]}):
            rows.append(
                {
                    "side": "in" if side == "cash_in" else "out",
                    "item": item,
                    "values": [report["years"][y][side].get(item, 0.0) for y in years],
                }
            )
    return {
        "entity": chosen, "years": years, "rows": rows,
        "shortfall": [report["years"][y]["shortfall"] for y in years],
        "defaulted_in": report["defaulted_in"], "choices": ranked,
    }  # fmt: skip
