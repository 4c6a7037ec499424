"""Read pages: every page renders, its .json twin equals its /api/ route, lists paginate, bad
parameters get JSON 4xx errors, and untrusted text is escaped."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stargate.evidence.ingest import ingest
from stargate.ledger.store import Store
from stargate.web.app import Settings, create_app

PAGES = [
    ("/", "/index.json", "/api/overview"),
    ("/entities", "/entities.json", "/api/entities"),
    ("/entities/openai", "/entities/openai.json", "/api/entities/openai"),
    ("/agreements", "/agreements.json", "/api/agreements"),
    ("/agreements/stargate-jv", "/agreements/stargate-jv.json", "/api/agreements/stargate-jv"),
    ("/sources", "/sources.json", "/api/sources"),
    ("/sites", "/sites.json", "/api/sites"),
    ("/sites/abilene-site", "/sites/abilene-site.json", "/api/sites/abilene-site"),
    ("/claims", "/claims.json", "/api/claims"),
    ("/stress", "/stress.json", "/api/stress"),
    ("/calculators?power_gw=1", "/calculators.json?power_gw=1", "/api/calculators?power_gw=1"),
]


@pytest.mark.parametrize(("page", "twin", "api"), PAGES)
def test_every_page_has_a_json_twin_equal_to_its_api_route(
    settled: TestClient, page: str, twin: str, api: str
) -> None:
    client = settled
    html = client.get(page)
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert f'href="{twin.replace("&", "&amp;")}"' in html.text  # the footer links the twin
    twin_data = client.get(twin).json()
    assert twin_data == client.get(api).json()
    assert twin_data  # not empty


def test_overview_headlines_come_from_the_world(client: TestClient) -> None:
    data = client.get("/api/overview").json()
    assert set(data) >= {"stargate", "capacity", "disputed", "graph", "flows_by_year", "timeline"}
    assert data["stargate"]["announced_usd"] == 500e9
    assert data["stargate"]["committed_usd"] == 45e9  # 19 + 19 + 7 (Oracle and MGX together)
    softbank = next(s for s in data["stargate"]["secured"]
                    if s["subjects"] == ["softbank"] and s["state"] == "disputed")  # fmt: skip
    assert softbank["state"] == "disputed"  # a range, never a pick
    assert (softbank["low_usd"], softbank["high_usd"]) == (0.0, 10e9)
    circular = {(e["source"], e["target"]) for e in data["graph"]["edges"] if e["circular"]}
    assert ("nvidia", "openai") in circular
    assert ("openai", "oracle") in circular
    node_ids = {n["id"] for n in data["graph"]["nodes"]}
    assert all(e["source"] in node_ids and e["target"] in node_ids for e in data["graph"]["edges"])
    assert data["capacity"]["operational_gw"] > 0
    timeline = data["timeline"]
    assert timeline == sorted(timeline, key=lambda r: (r["date"], r["url"]))
    phases = {r["phase"] for r in timeline}
    assert {"announcement", "scale-back", "progress"} <= phases
    stalled = next(
        r for r in timeline if r["status"] == "on_ice" and r["url"] == "/agreements/stargate-jv"
    )
    assert stalled["date"] == "2026-02"
    assert stalled["phase"] == "scale-back"


def test_an_entity_shows_its_disputed_number_with_both_sides(client: TestClient) -> None:
    data = client.get("/api/entities/softbank").json()
    secured = next(r for r in data["resolved"]
                   if r["kind"] == "funding_secured" and r["state"] == "disputed")  # fmt: skip
    assert secured["state"] == "disputed"
    assert secured["supporting"]
    assert secured["dissenting"]
    quote = secured["dissenting"][0]
    assert quote["quote"]
    assert "context_before" in quote
    assert quote["source_title"]
    page = client.get("/entities/softbank").text
    assert f'class="dissent" href="/claims/{quote["id"]}"' in page  # both sides, each a link


def test_a_claim_links_to_its_quote_in_its_source(client: TestClient) -> None:
    claims = client.get("/api/claims", params={"entity": "softbank", "size": 1}).json()
    claim = claims["items"][0]
    source = client.get(f"/api/sources/{claim['source_id']}").json()
    text = "".join(s["text"] for s in source["segments"])
    marked = "".join(s["text"] for s in source["segments"] if claim["id"] in s["claims"])
    assert marked == text[claim["start"] : claim["end"]] == claim["quote"]
    assert f'id="claim-{claim["id"]}"' in client.get(f"/sources/{claim['source_id']}").text


def test_lists_paginate(client: TestClient) -> None:
    first = client.get("/api/claims", params={"size": 50}).json()
    total = first["total"]
    assert total > 200  # the seeds' extracted claims and the curators' claims
    pages = -(-total // 50)
    assert len(first["items"]) == 50
    assert (first["page"], first["next_page"], first["pages"]) == (1, 2, pages)
    last = client.get("/api/claims", params={"size": 50, "page": pages}).json()
    assert len(last["items"]) == total - 50 * (pages - 1)
    assert last["next_page"] is None
    beyond = client.get("/api/claims", params={"size": 50, "page": pages + 1}).json()
    assert beyond["items"] == []
    ids = {
        c["id"]
        for p in range(1, pages + 1)
        for c in client.get("/api/claims", params={"size": 50, "page": p}).json()["items"]
    }
    assert len(ids) == total


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/claims?size=0", "query.size"),
        ("/api/claims?size=201", "query.size"),
        ("/api/entities?page=-1", "query.page"),
        ("/api/calculators?power_gw=-1", "query.power_gw"),
        ("/api/calculators?basis=nuclear", "query.basis"),
        ("/claims.json?page=abc", "query.page"),
    ],
)
def test_bad_parameters_get_a_json_422_naming_the_field(
    client: TestClient, path: str, field: str
) -> None:
    response = client.get(path)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["status"] == 422
    assert field in error["message"]
    assert [d["field"] for d in error["details"]] == [field]


def test_unknown_things_are_404_in_json_and_html(client: TestClient) -> None:
    for path in ("/api/entities/nobody", "/entities/nobody.json", "/api/claims/0000",
                 "/api/stress/runs/nothing", "/api/sources/abc", "/api/sites/atlantis",
                 "/api/nowhere"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["status"] == 404
    page = client.get("/entities/nobody")
    assert page.status_code == 404
    assert "no entity" in page.text
    assert "<!doctype html>" in page.text


def test_calculator_errors_are_reported_not_raised(client: TestClient) -> None:
    data = client.get("/api/calculators", params={"power_gw": 1, "chip": "Z999"}).json()
    assert data["capacity"] is None
    assert "unknown chip" in data["errors"][0]
    ok = client.get("/api/calculators", params={"power_gw": 1, "active_params": 1e12,
                                                "tokens": 1e13}).json()  # fmt: skip
    assert ok["errors"] == []
    assert ok["training"]["flop"] == pytest.approx(6e25)
    assert ok["capacity"]["accelerators"] > 0


def test_security_headers(client: TestClient) -> None:
    response = client.get("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_api_index_and_openapi_schema(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/api/overview", "/api/entities/{entity_id}", "/api/stress/runs"} <= set(
        schema["paths"]
    )
    listed = client.get("/api.json").json()["routes"]
    assert {r["path"] for r in listed} == set(schema["paths"])
    assert client.get("/docs").status_code == 404  # no page that pulls assets from a CDN


HOSTILE = (
    "title: <script>alert('title')</script>\n\n"
    "<script>alert('body')</script> OpenAI a levé 40 milliards de dollars auprès de SoftBank, "
    "selon <img src=x onerror=alert(1)> le journal.\n"
)


def test_article_text_is_escaped(demo_db: str, tmp_path: Path) -> None:
    article = tmp_path / "hostile.txt"
    article.write_text(HOSTILE, encoding="utf-8")
    with Store.open(demo_db) as store:
        [result] = ingest(store, [article])
    assert result.outcome == "added"
    with TestClient(
        create_app(Settings(db=demo_db, precompute=False, results_scenarios=100))
    ) as client:
        sources = client.get("/api/sources", params={"size": 200}).json()["items"]
        hostile = next(s for s in sources if "onerror" in client.get(
            f"/api/sources/{s['id']}").text)  # fmt: skip
        for path in (f"/sources/{hostile['id']}", "/sources", "/claims", "/"):
            page = client.get(path).text
            assert "<script>alert" not in page, path
            assert "<img src=x" not in page, path
        assert "&lt;script&gt;alert" in client.get(f"/sources/{hostile['id']}").text


def test_every_headline_number_links_somewhere(client: TestClient) -> None:
    """The overview's figures are links: to their claims, to the list of agreements that add up
    to them (the list's total is the figure), the calculator with the project's GW, the sites."""
    overview = client.get("/api/overview").json()
    page = client.get("/").text
    links = overview["stargate"]["links"]
    for target in (links["announced_usd"], links["committed_usd"], "/agreements?kind=equity",
                   "/calculators?power_gw=10.0&basis=it", "/sites"):  # fmt: skip
        assert f'href="{target.replace("&", "&amp;")}"' in page, target
    assert links["announced_usd"].startswith("/claims")
    pledges = client.get(links["committed_usd"].replace("/agreements", "/api/agreements")).json()
    assert pledges["total_usd"] == overview["stargate"]["committed_usd"]  # the list adds up
    for party, url in links["committed_by_party"].items():
        listed = client.get(url.replace("/agreements", "/api/agreements")).json()
        assert listed["total_usd"] >= overview["stargate"]["committed_by_party"][party] > 0
    site = client.get("/api/sites/abilene-site").json()
    assert site["site"]["operational_gw"] == 0.6
    assert site["site"]["owner"] == "crusoe"
    assert {s["id"] for s in site["sources"]} == set(site["site"]["sources"])
    assert all(s["address"] is None or s["address"].startswith("https://")
               for s in site["sources"])  # fmt: skip
    assert all(s["quotes"] for s in site["sources"])  # every source shows what it is quoted for
    assert "oracle-abilene-lease" in {a["id"] for a in site["agreements"]}
