"""Writes: a token is needed (bearer, or session cookie plus CSRF); reviews, corrections and
merges add rows and never edit claims; refused writes leave the store exactly as it was."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import init_store

from stargate.ledger.store import Store
from stargate.web.app import Settings, create_app


def counts(db: str) -> dict[str, int]:
    with Store.open(db) as store:
        return store.table_counts()


def some_claim(client: TestClient, entity: str = "softbank") -> dict:
    return client.get("/api/claims", params={"entity": entity, "size": 1}).json()["items"][0]


def form_csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
    assert found, "the page carries a CSRF token"
    return found.group(1)


def login(client: TestClient, token: str) -> str:
    """Log in with the form (as a browser would: the login page first); returns the CSRF token
    the pages carry."""
    login_csrf = form_csrf(client.get("/login").text)
    response = client.post("/login", data={"token": token, "csrf": login_csrf},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    return form_csrf(client.get("/stress").text)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/claims/{claim}/review", {"action": "reject"}),
        ("/api/claims/{claim}/correction", {"amount": "1"}),
        ("/api/entities/merge", {"left": "openai", "right": "oracle"}),
        ("/api/stress/runs", {"scenario": "baseline", "scenarios": 10}),
    ],
)
def test_every_write_needs_a_token(client: TestClient, demo_db: str, path: str, body: dict) -> None:
    before = counts(demo_db)
    url = path.format(claim=some_claim(client)["id"])
    response = client.post(url, json=body)
    assert response.status_code == 401
    assert "token" in response.json()["error"]["message"]
    wrong = client.post(url, json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert counts(demo_db) == before


def test_reject_then_accept_a_claim(client: TestClient, bearer: dict[str, str]) -> None:
    claim = some_claim(client)
    response = client.post(f"/api/claims/{claim['id']}/review", json={"action": "reject",
                           "reason": "misread"}, headers=bearer)  # fmt: skip
    assert response.status_code == 201
    assert response.json()["user"] == "reviewer"
    after = client.get(f"/api/claims/{claim['id']}").json()["claim"]
    assert after["rank"] == "deprecated"
    assert after["rank_reason"] == "misread"
    assert after["quote"] == claim["quote"]
    assert after["amount"] == claim["amount"]
    client.post(f"/api/claims/{claim['id']}/review", json={"action": "accept"}, headers=bearer)
    assert client.get(f"/api/claims/{claim['id']}").json()["claim"]["rank"] == "normal"


def test_bad_reviews_are_refused_without_a_trace(
    client: TestClient, demo_db: str, bearer: dict[str, str]
) -> None:
    claim = some_claim(client)["id"]
    before = counts(demo_db)
    for url, body, status in (
        (f"/api/claims/{claim}/review", {"action": "rank"}, 422),  # no rank given
        (f"/api/claims/{claim}/review", {"action": "delete"}, 422),
        (f"/api/claims/{claim}/review", {"action": "reject", "extra": 1}, 422),
        ("/api/claims/nope/review", {"action": "reject"}, 404),
        (f"/api/claims/{claim}/correction", {"amount": "lots"}, 422),
        (f"/api/claims/{claim}/correction", {"amount": "5", "unit": "bananas"}, 422),
        ("/api/entities/merge", {"left": "openai", "right": "nobody"}, 404),
        ("/api/entities/merge", {"left": "openai", "right": "openai"}, 422),
    ):
        response = client.post(url, json=body, headers=bearer)
        assert response.status_code == status, (url, body, response.text)
        assert response.json()["error"]["message"]
    assert counts(demo_db) == before


def test_a_correction_supersedes_the_claim_it_corrects(
    client: TestClient, bearer: dict[str, str]
) -> None:
    old = some_claim(client)
    response = client.post(f"/api/claims/{old['id']}/correction",
                           json={"amount": "12345", "reason": "typo"}, headers=bearer)  # fmt: skip
    assert response.status_code == 201
    new_id = response.json()["claim_id"]
    new = client.get(f"/api/claims/{new_id}").json()["claim"]
    assert new["amount"] == 12345
    assert new["origin"] == "review:reviewer"
    assert new["quote"] == old["quote"]
    assert new["source_id"] == old["source_id"]
    resolved = client.get("/api/entities/softbank").json()["resolved"]
    supporting = {c["id"] for r in resolved for c in r["supporting"] + r["dissenting"]}
    assert old["id"] not in supporting  # superseded claims no longer count
    assert client.get(f"/api/claims/{old['id']}").status_code == 200  # but are kept


def test_merging_entities_writes_a_judgement(client: TestClient, bearer: dict[str, str]) -> None:
    response = client.post("/api/entities/merge", json={"left": "softbank", "right": "sb-energy"},
                           headers=bearer)  # fmt: skip
    assert response.status_code == 201
    # the canonical id of a merged pair is the smaller gazetteer id (Store.canonical_ids)
    merged = client.get("/api/entities/softbank").json()["entity"]
    assert merged["merged_into"] == "sb-energy"
    assert "softbank" in client.get("/api/entities/sb-energy").json()["entity"]["merged"]


def test_forms_need_the_csrf_token_with_a_session(
    client: TestClient, demo_db: str, token: str
) -> None:
    claim = some_claim(client)["id"]
    csrf = login(client, token)
    before = counts(demo_db)
    refused = client.post(f"/claims/{claim}/review", data={"action": "reject"},
                          follow_redirects=False)  # fmt: skip
    assert refused.status_code == 403
    assert counts(demo_db) == before
    forged = client.post(f"/claims/{claim}/review", data={"action": "reject", "csrf": "0" * 64},
                         follow_redirects=False)  # fmt: skip
    assert forged.status_code == 403
    assert counts(demo_db) == before
    done = client.post(f"/claims/{claim}/review",
                       data={"action": "reject", "csrf": csrf, "next": "//evil.example/"},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert done.headers["location"] == f"/claims/{claim}"
    assert client.get(f"/api/claims/{claim}").json()["claim"]["rank"] == "deprecated"
    client.post("/logout", data={"csrf": csrf})
    assert client.post(f"/claims/{claim}/review", data={"action": "accept", "csrf": csrf},
                       follow_redirects=False).status_code == 401  # fmt: skip


def test_login_with_a_wrong_token_fails(client: TestClient) -> None:
    csrf = form_csrf(client.get("/login").text)
    response = client.post("/login", data={"token": "guess", "csrf": csrf})
    assert response.status_code == 401
    assert "unknown or revoked" in response.text
    assert "stargate_session" not in response.cookies


def test_request_bodies_are_limited(client: TestClient, demo_db: str, bearer: dict) -> None:
    before = counts(demo_db)
    big = {"action": "reject", "reason": "x" * 100_000}
    response = client.post(f"/api/claims/{some_claim(client)['id']}/review", json=big,
                           headers=bearer)  # fmt: skip
    assert response.status_code == 413
    assert "over" in response.json()["error"]["message"]

    def chunks():  # no Content-Length: the limit is counted as the body streams
        for _ in range(100):
            yield b"x" * 1024

    streamed = client.post("/api/entities/merge", content=chunks(),
                           headers={**bearer, "Content-Type": "application/json"})  # fmt: skip
    assert streamed.status_code == 413
    assert counts(demo_db) == before


def test_writes_on_postgresql(store_url: str) -> None:
    """The token and stress-run tables (migration 0003) work on both databases."""
    init_store(store_url)
    with Store.open(store_url) as store:
        secret = store.tokens.create("pg")
    headers = {"Authorization": f"Bearer {secret}"}
    settings = Settings(db=store_url, precompute=False, results_scenarios=50)
    with TestClient(create_app(settings)) as client:
        claim = some_claim(client)["id"]
        assert client.post(f"/api/claims/{claim}/review", json={"action": "reject"},
                           headers=headers).status_code == 201  # fmt: skip
        started = client.post("/api/stress/runs", json={"scenario": "baseline", "scenarios": 50},
                              headers=headers)  # fmt: skip
        assert started.status_code == 202
        from tests.web.test_jobs import wait_for

        run = wait_for(client, started.json()["url"])
        assert run["status"] == "done", run["error"]


def test_merge_from_a_source_page(client: TestClient, demo_db: str, token: str) -> None:
    source = client.get("/api/sources", params={"size": 1}).json()["items"][0]["id"]
    assert 'id="merge-form"' not in client.get(f"/sources/{source}").text  # needs a token
    csrf = login(client, token)
    page = client.get(f"/sources/{source}").text
    assert 'id="merge-form"' in page
    before = counts(demo_db)["judgements"]
    done = client.post("/entities/merge", data={"left": "openai", "right": "oracle",
                       "csrf": csrf}, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert done.headers["location"] == "/entities/openai"
    assert counts(demo_db)["judgements"] == before + 1
