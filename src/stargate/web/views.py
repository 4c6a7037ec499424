"""What each page shows, as plain JSON data: the HTML page renders it and its ``.json`` twin and
``/api/`` route return it unchanged (Datasette's two-faced view contract, docs/web.md)."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from typing import Any, cast

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


MAX_IDS = 200  # claim ids one link may name


def claims_url(ids: Any) -> str | None:
    """Where a figure leads: its one claim, or the list of its claims (each with its quote)."""
    unique = list(dict.fromkeys(str(i) for i in (ids or []) if i))[:MAX_IDS]
    if not unique:
        return None
    return f"/claims/{unique[0]}" if len(unique) == 1 else f"/claims?ids={','.join(unique)}"


def find_entity(snapshot: Snapshot, text: str) -> str | None:
    """An entity id from what a visitor typed: an id or a name, any case."""
    key = text.strip().casefold()
    if not key:
        return None
    for entity_id, name in snapshot.names.items():
        if key in {entity_id.casefold(), str(name).casefold()}:
            return snapshot.canonical.get(entity_id, entity_id)
    return None


def _max(values: Any) -> float:
    """The largest stated figure (0 when none is stated)."""
    stated = values.dropna()
    return float(stated.max()) if len(stated) else 0.0


# -- overview -----------------------------------------------------------------------------------


def _row_claims(rows: Any, value: float) -> list[str]:
    """The claims of the rows stating ``value`` (the figure a total takes from them)."""
    ids: list[str] = []
    for row in rows.to_dict("records"):
        if row["power_gw"] == row["power_gw"] and abs(float(row["power_gw"]) - value) < 1e-9:
            ids += [c for c in (row["claims"] or []) if c not in ids]
    return ids


def _capacity(world: Any) -> dict[str, Any]:
    """GW announced (largest figure per site), under construction (latest state) and
    operational (largest operational figure), summed over the curated sites; each site's
    figures with the claims that state them."""
    totals = {"announced_gw": 0.0, "under_construction_gw": 0.0, "operational_gw": 0.0}
    sites = []
    for site_id, rows in world.sites.groupby("site_id", sort=False):
        rows = rows.sort_values("date")
        latest = rows.iloc[-1]
        operational = rows[rows["status"] == "operational"]
        building = (
            latest["status"] == "under_construction" and latest["power_gw"] == latest["power_gw"]
        )
        state = {
            "site_id": site_id, "name": latest["name"], "owner": latest["owner"],
            "announced_gw": _max(rows["power_gw"]),
            "operational_gw": _max(operational["power_gw"]),
            "under_construction_gw": float(latest["power_gw"]) if building else 0.0,
            "latest_status": latest["status"], "latest_date": latest["date"],
        }  # fmt: skip
        state["links"] = {
            "announced_gw": claims_url(_row_claims(rows, state["announced_gw"])),
            "operational_gw": claims_url(_row_claims(operational, state["operational_gw"])),
            "under_construction_gw": claims_url(latest["claims"]) if building else None,
        }
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


def _flows(snapshot: Snapshot) -> dict[str, list[dict[str, Any]]]:
    world = snapshot.world
    by_year: dict[str, list[dict[str, Any]]] = {}
    payments = world.payments.groupby(["year", "payer", "payee"], dropna=False, observed=True)[
        "amount_usd"
    ].sum()
    for key, amount in payments.items():
        year, payer, payee = cast(tuple[Any, Any, Any], key)  # a three-level index
        if not payee or (isinstance(payee, float) and math.isnan(payee)):
            continue
        by_year.setdefault(str(year), []).append({
            "source": payer, "target": payee, "amount_usd": float(amount),
            "source_name": snapshot.name(str(payer)), "target_name": snapshot.name(str(payee)),
        })  # fmt: skip
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
    """Dated events, oldest first: each agreement's status changes (one row of the chart per
    agreement, labelled with its name) and each claim whose source is dated (one row per kind
    of news); ``phase`` groups them (denials and scale-backs are drawn in a warning colour)."""
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
            "row": a["name"], "short": status.replace("_", " "),
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
            "status": c["status"], "kind": c["kind"], "row": f"news: {c['kind']}", "short": "",
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
            "url": claims_url([*_split(row["supporting"]), *_split(row["dissenting"])]),
            "object_name": snapshot.name(row["object"]),
        })  # fmt: skip
    return out


def _gap_links(snapshot: Snapshot, gap: dict[str, Any]) -> dict[str, Any]:
    """Where each funding-gap figure leads: the claims of the announced figure, the list of the
    pledges that add up to the committed total (and each party's), the secured claims."""
    project = gap["name"]
    rows = snapshot.world.resolved
    announced = [
        r for r in records(rows)
        if project in r["subjects"] and r["kind"] in {"investment", "commitment", "capex"}
        and r["unit"] == "USD" and r["value"] == gap["announced_usd"]
    ]  # fmt: skip
    pledges = f"/agreements?payee={project}&kind=equity,loan"
    return {
        "announced_usd": claims_url([c for r in announced for c in r["supporting"]]),
        "committed_usd": pledges,
        "committed_by_party": {p: f"{pledges}&party={p}" for p in gap["committed_by_party"]},
        "secured": [claims_url([*s["claims"], *s["dissenting"]]) for s in gap["secured"]],
        "required_capex_usd": f"/calculators?power_gw={gap['gw']}&basis=it",
    }


def overview(snapshot: Snapshot) -> dict[str, Any]:
    world = snapshot.world
    agreements = world.agreements
    money = {
        str(kind): float(frame["amount_usd"].sum())
        for kind, frame in agreements.groupby("kind", observed=True)
    }
    gap = project_gap(world)
    return cleaned({
        "stargate": {**gap, "links": _gap_links(snapshot, gap)},
        "agreements_by_kind_usd": money,
        "capacity": _capacity(world),
        "disputed": _disputed(snapshot),
        "graph": _graph(snapshot),
        "flows_by_year": _flows(snapshot),
        "timeline": _timeline(snapshot),
        "counts": {"sources": len(snapshot.sources), "claims": len(snapshot.claims),
                   "entities": len(world.entities), "agreements": len(agreements)},
    })  # fmt: skip


# -- entities and agreements ----------------------------------------------------------------------


def entity_list(snapshot: Snapshot, page: int, size: int, q: str | None) -> dict[str, Any]:
    rows = sorted(records(snapshot.world.entities), key=lambda r: str(r["name"]).casefold())
    if q:
        needle = q.strip().casefold()
        rows = [r for r in rows if needle in r["name"].casefold() or needle in r["id"].casefold()]
    for row in rows:
        row["merged_into"] = snapshot.canonical.get(row["id"], row["id"])
        if row["merged_into"] == row["id"]:
            row["merged_into"] = None
    return {**paginate(rows, page, size), "filters": {"q": q} if q else {}}


def _resolved_about(snapshot: Snapshot, entity_id: str) -> list[dict[str, Any]]:
    """The resolved numbers an entity is a party to: its own (it is a subject) first, then
    those others state about it (it is the object); each value links to its claims."""
    out = []
    for row in records(snapshot.world.resolved):
        subjects = _split(row["subjects"])
        if entity_id not in subjects and row["object"] != entity_id:
            continue
        supporting, dissenting = _split(row["supporting"]), _split(row["dissenting"])
        out.append({
            **{k: row[k] for k in ("kind", "unit", "period", "state", "value", "low", "high",
                                   "components", "rule_version")},
            "subjects": subjects, "subject_names": [snapshot.name(s) for s in subjects],
            "object": row["object"], "object_name": snapshot.name(row["object"]),
            "own": entity_id in subjects,
            "url": claims_url([*supporting, *dissenting]),
            "supporting": [_claim(snapshot, c) for c in supporting],
            "dissenting": [_claim(snapshot, c) for c in dissenting],
        })  # fmt: skip
    return sorted(out, key=lambda r: (not r["own"], r["kind"], -(r["value"] or 0)))


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
    finances = records(snapshot.world.finances[snapshot.world.finances["entity"] == canonical])
    for f in finances:  # curated figures are curator claims: each opens its excerpt
        cited = f.get("claims") or {}
        f["links"] = {k: claims_url(cited.get(k)) for k in ("cash_usd", "revenue_usd")}
    priors = snapshot.world.priors
    debts = records(snapshot.world.debts[snapshot.world.debts["entity"] == canonical])
    for d in debts:
        d["url"] = claims_url(d.get("claims"))
    keys = list(dict.fromkeys(k for r in [*finances, *debts] for k in _split(r["sources"])))
    mine_rows = sorted(records(mine), key=lambda a: -(a["amount_usd"] or 0))
    return cleaned({
        "entity": {**row, "merged_into": None if canonical == entity_id else canonical,
                   "merged": sorted(members - {entity_id})},
        "agreements": [_agreement_row(snapshot, a) for a in mine_rows],
        "resolved": _resolved_about(snapshot, canonical),
        "finances": finances,
        "debts": debts,
        "finance_sources": curated_sources(snapshot, keys),
        "priors": records(priors[priors["entity"] == canonical]),
        "claims": [snapshot.claim_json(c, context=True)
                   for c in _claims_about(snapshot, members)],
        "others": sorted(({"id": i, "name": n} for i, n in snapshot.names.items()
                          if i not in members), key=lambda o: str(o["name"]).casefold()),
    })  # fmt: skip


def curated_sources(snapshot: Snapshot, keys: list[str]) -> list[dict[str, Any]]:
    """The curated sources the model's inputs cite, by key: publisher, title, date, address,
    and the ledger document of the curators' excerpts from it when there is one."""
    from stargate.world.curated import bundled

    entries = bundled().sources
    ledger = {
        str(k): str(i)
        for k, i in zip(snapshot.world.sources["key"], snapshot.world.sources["id"], strict=True)
        if k
    }
    out = []
    for key in keys:
        entry = entries.get(key)
        out.append({
            "key": key, "publisher": entry.publisher if entry else None,
            "title": entry.title if entry else None, "date": entry.date if entry else None,
            "address": entry.address if entry else None,
            "quality": entry.quality if entry else None, "source_id": ledger.get(key),
        })  # fmt: skip
    return out


PAYMENT_COLUMNS = ("schedule", "annual_usd", "term_years", "amount_usd", "parts")


def _agreement_row(snapshot: Snapshot, row: dict[str, Any]) -> dict[str, Any]:
    payers = _split(row["payers"])
    cited = row.get("claims") or {}
    links = {
        column: claims_url(cited.get(column))
        for column in (
            "amount_usd",
            "annual_usd",
            "term_years",
            "capacity_gw",
            "latest_status",
            "site",
        )
    }
    links["payments"] = claims_url([c for k in PAYMENT_COLUMNS for c in cited.get(k, [])])
    return {
        **row, "payers": payers, "payer_names": [snapshot.name(p) for p in payers],
        "payee_name": snapshot.name(row["payee"]), "sources": _split(row["sources"]),
        "status": row["latest_status"], "links": links,
    }  # fmt: skip


def agreement_list(
    snapshot: Snapshot, page: int, size: int, kind: str | None, *, q: str | None = None,
    party: str | None = None, payee: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Agreements, largest first; ``kind`` (comma-separated kinds), ``q`` (in the name or a
    party's name), ``party`` (payer or payee) and ``payee`` filter; ``total_usd`` adds up the
    amounts of every agreement the filters keep (every page)."""
    rows = [_agreement_row(snapshot, r) for r in records(snapshot.world.agreements)]
    filters: dict[str, str] = {}
    if kind:
        kinds = {k.strip() for k in kind.split(",") if k.strip()}
        rows = [r for r in rows if r["kind"] in kinds]
        filters["kind"] = kind
    for name, text in (("party", party), ("payee", payee)):
        if text:
            filters[name] = text
            found = find_entity(snapshot, text)
            members = _members(snapshot, found) if found else set()
            rows = [r for r in rows if r["payee"] in members
                    or (name == "party" and members & set(r["payers"]))]  # fmt: skip
    if q:
        filters["q"] = q
        needle = q.strip().casefold()
        rows = [r for r in rows if needle in " ".join(
            [r["name"], r["id"], *map(str, r["payer_names"]), str(r["payee_name"] or "")]
        ).casefold()]  # fmt: skip
    rows.sort(key=lambda r: -(r["amount_usd"] or 0))
    total = sum(r["amount_usd"] or 0.0 for r in rows)
    return cleaned(
        {
            **paginate(rows, page, size),
            "total_usd": total,
            "filters": filters,
            "kinds": sorted({str(k) for k in snapshot.world.agreements["kind"]}),
        }
    )


def payment_groups(payments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Yearly payments folded into runs of equal amounts by payer and payee (twenty identical
    rows read as one: 2027–2046, $25B a year)."""
    groups: list[dict[str, Any]] = []
    for p in sorted(payments, key=lambda p: (p["payer"], str(p["payee"]), p["year"])):
        last = groups[-1] if groups else None
        if (last is not None and (last["payer"], last["payee"]) == (p["payer"], p["payee"])
                and last["last_year"] == p["year"] - 1
                and abs(last["amount_usd"] - p["amount_usd"]) < 0.5):  # fmt: skip
            last["last_year"] = p["year"]
            last["years"] += 1
            last["total_usd"] += p["amount_usd"]
            continue
        groups.append({"payer": p["payer"], "payee": p["payee"], "first_year": p["year"],
                       "last_year": p["year"], "years": 1, "amount_usd": p["amount_usd"],
                       "total_usd": p["amount_usd"]})  # fmt: skip
    return sorted(groups, key=lambda g: (g["first_year"], g["payer"]))


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
        rows = records(table[table["agreement_id"] == agreement_id])
        for r in rows:
            if "claims" in r:
                r["url"] = claims_url(r["claims"])
        return rows

    claims = [_claim(snapshot, c) for c in ids]
    return cleaned({
        "agreement": row,
        "payments": records(payments),
        "payment_groups": payment_groups(records(payments)),
        "payments_total_usd": float(payments["amount_usd"].sum()),
        "parties": mine(world.agreement_parties),
        "conditions": mine(world.agreement_conditions),
        "status_history": mine(world.agreement_status),
        "revisions": mine(world.agreement_revisions),
        "sources": _quoted_sources(records(cited), claims),
        "claims": claims,
        "claims_by_column": [{"column": k, "claims": v, "url": claims_url(v)}
                             for k, v in (row["claims"] or {}).items()],
        "claims_basis": "the claims attached to this agreement, field by field",
    })  # fmt: skip


def _quoted_sources(sources: list[dict[str, Any]],
                    claims: list[dict[str, Any]]) -> list[dict[str, Any]]:  # fmt: skip
    """Each cited source with the quotes taken from it (a curated figure shows the curators'
    excerpt it quotes, not only an address)."""
    for source in sources:
        quotes: dict[str, str] = {}
        for c in claims:
            if not c.get("missing") and c["source_id"] == source["id"]:
                quotes.setdefault(c["quote"], c["id"])
        source["quotes"] = [{"claim": claim, "quote": quote} for quote, claim in quotes.items()]
    return sources


# -- sites ----------------------------------------------------------------------------------------


def _site_rows(snapshot: Snapshot, capacity: dict[str, Any]) -> list[dict[str, Any]]:
    from stargate.web.places import place

    by_site = {s["site_id"]: s for s in capacity["sites"]}
    rows = []
    for site_id, points in snapshot.world.sites.groupby("site_id", sort=False):
        first = records(points)[0]
        timeline = [
            {**{k: p[k] for k in ("date", "power_gw", "status")}, "url": claims_url(p["claims"])}
            for p in records(points.sort_values("date"))
        ]  # fmt: skip
        sources = list(dict.fromkeys(s for p in records(points) for s in _split(p["sources"])))
        rows.append({
            "id": site_id, "name": first["name"], "owner": first["owner"],
            "owner_name": snapshot.name(first["owner"]), "tenant": first["tenant"],
            "tenant_name": snapshot.name(first["tenant"]), "offtaker": first["offtaker"],
            "offtaker_name": snapshot.name(first["offtaker"]), "power_basis": first["power_basis"],
            **{k: by_site[site_id][k] for k in ("announced_gw", "under_construction_gw",
                                                 "operational_gw", "latest_status", "latest_date",
                                                 "links")},
            "timeline": timeline, "sources": sources, "location": place(str(site_id)),
            "claims": list(dict.fromkeys(c for p in records(points) for c in p["claims"] or [])),
        })  # fmt: skip
    return rows


def site_list(snapshot: Snapshot) -> dict[str, Any]:
    capacity = _capacity(snapshot.world)
    rows = _site_rows(snapshot, capacity)
    totals = ("announced_gw", "under_construction_gw", "operational_gw", "basis")
    return cleaned(
        {
            "items": rows,
            "total": len(rows),
            **{k: capacity[k] for k in totals},
            "unplaced": [r["name"] for r in rows if r["location"] is None],
        }
    )


def site(snapshot: Snapshot, site_id: str) -> dict[str, Any]:
    rows = _site_rows(snapshot, _capacity(snapshot.world))
    found = next((row for row in rows if row["id"] == site_id), None)
    if found is None:
        raise NotFoundError(f"no site {site_id!r}")
    world = snapshot.world
    cited = world.sources[world.sources["id"].isin(found["sources"])]
    deals = world.agreements[world.agreements["site"] == site_id]
    claims = [_claim(snapshot, c) for c in found["claims"]]
    return cleaned({
        "site": found, "sources": _quoted_sources(records(cited), claims), "claims": claims,
        "agreements": [_agreement_row(snapshot, a) for a in records(deals)],
    })  # fmt: skip


# -- sources and claims ---------------------------------------------------------------------------


def source_list(snapshot: Snapshot, page: int, size: int, q: str | None = None) -> dict[str, Any]:
    counts: dict[str, int] = defaultdict(int)
    for c in snapshot.claims.values():
        counts[c.claim.source_id] += 1
    rows = [
        {"id": s.id, "title": s.title, "publisher": s.publisher, "published_at": s.published_at,
         "language": s.language, "url": s.url, "license": s.license, "claims": counts[s.id],
         "characters": len(s.text)}
        for s in snapshot.sources.values()
    ]  # fmt: skip
    if q:
        needle = q.strip().casefold()
        rows = [r for r in rows
                if needle in f"{r['title'] or ''} {r['publisher'] or ''}".casefold()]  # fmt: skip
    rows.sort(key=lambda r: (r["published_at"] or "", r["id"]))
    return {**paginate(rows, page, size), "filters": {"q": q} if q else {}}


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
    source: str | None, ids: str | None = None, q: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Claims, oldest source first; ``ids`` (comma-separated: the claims behind one figure),
    ``entity`` (an id or a name, any case), ``kind``, ``source`` (an id prefix) and ``q`` (in
    the quote) filter. ``filters`` echoes them, ``problems`` says why a filter matched nothing."""
    chosen = list(snapshot.claims.values())
    filters: dict[str, str] = {}
    problems: list[str] = []
    if ids:
        filters["ids"] = ids
        wanted = [i.strip() for i in ids.split(",") if i.strip()][:MAX_IDS]
        order = {claim_id: n for n, claim_id in enumerate(wanted)}
        chosen = sorted((c for c in chosen if c.id in order), key=lambda c: order[c.id])
    if entity:
        filters["entity"] = entity
        found = find_entity(snapshot, entity)
        if found is None:
            problems.append(f"no entity has the id or name {entity!r}")
            chosen = []
        else:
            members = _members(snapshot, found)
            chosen = [c for c in chosen if members & {*c.claim.subjects, c.claim.object_id}]
    if kind:
        filters["kind"] = kind
        chosen = [c for c in chosen if str(c.claim.kind) == kind.strip().casefold()]
    if source:
        filters["source"] = source
        chosen = [c for c in chosen if c.claim.source_id.startswith(source.strip())]
    if q:
        filters["q"] = q
        chosen = [c for c in chosen if q.strip().casefold() in c.claim.quote.casefold()]
    rows = [snapshot.claim_json(c) for c in chosen]
    if not ids:
        rows.sort(key=lambda r: (r["published_at"] or "", r["source_id"], r["start"]))
    return cleaned({**paginate(rows, page, size), "filters": filters, "problems": problems})


def claim(snapshot: Snapshot, claim_id: str) -> dict[str, Any]:
    stored = snapshot.claims.get(claim_id)
    if stored is None:
        raise NotFoundError(f"no claim {claim_id!r}")
    return cleaned({"claim": snapshot.claim_json(stored, context=True)})
