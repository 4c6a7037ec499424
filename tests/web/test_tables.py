"""Lists as tables: filters by name that say when nothing matches, ``.csv`` twins of every
list, totals that add up what a list holds, figures linked to their claims, and the static
files served compressed and cacheable."""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import re

import pytest
from fastapi.testclient import TestClient

from stargate.web.static import asset_url, js_size


def test_an_entity_filter_takes_a_name_in_any_case(client: TestClient) -> None:
    by_id = client.get("/api/claims", params={"entity": "softbank", "size": 200}).json()
    by_name = client.get("/api/claims", params={"entity": "SoftBank", "size": 200}).json()
    assert by_id["total"] == by_name["total"] > 0
    assert [c["id"] for c in by_id["items"]] == [c["id"] for c in by_name["items"]]
    nobody = client.get("/api/claims", params={"entity": "Nobody Inc"}).json()
    assert nobody["total"] == 0
    assert "Nobody Inc" in nobody["problems"][0]
    page = client.get("/claims", params={"entity": "Nobody Inc"}).text
    assert 'id="no-match"' in page  # said, not silent
    empty = client.get("/entities", params={"q": "zzzz"}).text
    assert 'id="no-match"' in empty
    assert client.get("/api/entities", params={"q": "OPENAI"}).json()["total"] >= 1


def test_claims_by_ids_keep_the_order_of_the_figure(client: TestClient) -> None:
    agreement = client.get("/api/agreements/openai-oracle").json()["agreement"]
    ids = agreement["claims"]["annual_usd"]
    assert len(ids) > 1
    listed = client.get(agreement["links"]["annual_usd"].replace("/claims", "/api/claims")).json()
    assert [c["id"] for c in listed["items"]] == ids
    assert all(c["quote"] for c in listed["items"])


@pytest.mark.parametrize(
    ("path", "api", "column"),
    [
        ("/entities.csv", "/api/entities", "name"),
        ("/agreements.csv?kind=equity", "/api/agreements?kind=equity", "amount_usd"),
        ("/claims.csv?entity=openai", "/api/claims?entity=openai", "quote"),
        ("/sources.csv", "/api/sources", "publisher"),
        ("/sites.csv", "/api/sites", "announced_gw"),
    ],
)
def test_every_list_has_a_csv_twin_with_all_its_rows(
    client: TestClient, path: str, api: str, column: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == client.get(api).json()["total"]  # every page, not one
    assert column in rows[0]


def test_the_agreements_list_adds_up_what_it_holds(client: TestClient) -> None:
    listed = client.get("/api/agreements", params={"kind": "equity,loan", "size": 200}).json()
    assert listed["total_usd"] == pytest.approx(sum(a["amount_usd"] for a in listed["items"]))
    assert {a["kind"] for a in listed["items"]} == {"equity", "loan"}
    oracle = client.get("/api/agreements", params={"party": "Oracle", "size": 200}).json()
    assert oracle["items"]
    assert all("oracle" in [*a["payers"], a["payee"]] for a in oracle["items"])
    named = client.get("/api/agreements", params={"q": "abilene", "size": 200}).json()
    assert named["items"]
    assert all("abilene" in a["name"].lower() or "abilene" in a["id"] for a in named["items"])


def test_payments_fold_equal_years_into_one_row(client: TestClient) -> None:
    agreements = client.get("/api/agreements", params={"size": 200}).json()["items"]
    for a in agreements:
        data = client.get(f"/api/agreements/{a['id']}").json()
        groups = data["payment_groups"]
        assert sum(g["total_usd"] for g in groups) == pytest.approx(data["payments_total_usd"])
        for first, second in itertools.pairwise(groups):
            same = (first["payer"], first["payee"]) == (second["payer"], second["payee"])
            assert not (same and first["last_year"] + 1 == second["first_year"]
                        and first["amount_usd"] == second["amount_usd"])  # fmt: skip
    oracle = client.get("/agreements/openai-oracle").text
    assert oracle.count("<tr><td>2027–2031</td>") == 1


def test_agreement_figures_link_to_their_quotes(client: TestClient) -> None:
    page = client.get("/agreements").text
    body = page.split('id="agreements"', 1)[1].split("</table>", 1)[0]
    figures = re.findall(r'<td class="num"[^>]*>(.*?)</td>', body)
    money = [f for f in figures if "$" in f]
    assert money
    assert all('<a class="fig" href="/claims' in f for f in money), money[:3]


def test_static_files_are_compressed_and_cacheable(client: TestClient) -> None:
    url = asset_url("vendor/plotly-basic.min.js")
    assert "?v=" in url
    versioned = client.get(url, headers={"accept-encoding": "gzip"})
    assert versioned.status_code == 200
    assert versioned.headers["content-encoding"] == "gzip"
    assert "immutable" in versioned.headers["cache-control"]
    assert "max-age=31536000" in versioned.headers["cache-control"]
    raw = client.get(url, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert len(versioned.content) == len(raw.content)  # the client decompressed it
    stored, sent = js_size("vendor/plotly-basic.min.js")
    assert stored == len(raw.content)
    assert sent == len(gzip.compress(raw.content, 9, mtime=0)) < stored / 2
    plain = client.get("/static/app.js")
    assert plain.headers["cache-control"] == "no-cache"
    again = client.get("/static/app.js", headers={"if-none-match": plain.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/static/../context.py").status_code == 404
    assert client.get("/static/vendor/.built").status_code == 404
    page = client.get("/entities").text
    assert "plotly" not in page  # only the charting code a page uses
    assert url in client.get("/sites").text
