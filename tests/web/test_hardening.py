"""The dashboard under hostile requests (issue 15, items 1 and 6): writes are authenticated
before their bodies are validated, only http(s) addresses become links, login and logout carry
CSRF tokens, sessions have their own identifiers, expire and end server-side, corrections outside
the amount domain are refused, and a store poisoned before the domain existed still serves."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import text
from tests.web.test_writes import counts, form_csrf, login, some_claim

from stargate.evidence.documents import read_document
from stargate.evidence.entities import load_gazetteer
from stargate.ledger import database
from stargate.ledger.records import Claim, ClaimKind
from stargate.ledger.store import Store
from stargate.units import Quantity
from stargate.web.app import Settings, create_app

HOSTILE = Path(__file__).parents[1] / "fixtures" / "hostile" / "documents"
WRITES = [
    ("/api/claims/{claim}/review", "json"),
    ("/api/claims/{claim}/correction", "json"),
    ("/api/entities/merge", "json"),
    ("/api/stress/runs", "json"),
    ("/claims/{claim}/review", "form"),
    ("/claims/{claim}/correct", "form"),
    ("/entities/merge", "form"),
    ("/stress", "form"),
    ("/api/review/abcdef/accept", "json"),
    ("/api/review/abcdef/reject", "json"),
    ("/review/abcdef/accept", "form"),
    ("/review/abcdef/reject", "form"),
]
BAD_BODIES = [
    ("json", b"{not json"),
    ("json", b'{"action": 5, "amount": [], "left": null, "scenario": {}, "extra": 1}'),
    ("json", b"[]"),
    ("form", b"action=delete&amount=&left="),
    ("form", b"\xff\xfe"),
]


def post(client: TestClient, path: str, kind: str, body: bytes, **headers: str) -> Any:
    content_type = "application/json" if kind == "json" else "application/x-www-form-urlencoded"
    return client.post(path, content=body, headers={"Content-Type": content_type, **headers},
                       follow_redirects=False)  # fmt: skip


@pytest.mark.parametrize(("path", "kind"), WRITES)
def test_writes_authenticate_before_they_validate(
    client: TestClient, demo_db: str, path: str, kind: str
) -> None:
    """Tokenless and wrong-token writes with a bad body once got 422 and the field schema."""
    before = counts(demo_db)
    url = path.format(claim=some_claim(client)["id"])
    too_long = path.format(claim="x" * 500)  # a path parameter that does not validate either
    identities: list[dict[str, str]] = [
        {}, {"Authorization": "Bearer wrong"}, {"Cookie": "stargate_session=made-up"},
    ]  # fmt: skip
    for target in (url, too_long):
        for body_kind, body in BAD_BODIES:
            for headers in identities:
                response = post(client, target, body_kind, body, **headers)
                assert response.status_code == 401, (target, body, headers, response.text)
                if response.headers["content-type"].startswith("application/json"):
                    error = response.json()["error"]
                    assert "details" not in error
                    assert "token" in error["message"]
                else:  # a form: the HTML error page
                    assert "token" in response.text
                    assert "Field required" not in response.text
    assert counts(demo_db) == before


@pytest.mark.parametrize(("path", "kind"), WRITES)
def test_a_session_without_csrf_gets_403_before_validation(
    client: TestClient, demo_db: str, token: str, path: str, kind: str
) -> None:
    login(client, token)
    before = counts(demo_db)
    url = path.format(claim=some_claim(client)["id"])
    for body_kind, body in BAD_BODIES:
        response = post(client, url, body_kind, body)
        assert response.status_code == 403, (url, body, response.text)
    assert counts(demo_db) == before


def test_an_authenticated_bad_body_still_gets_422(client: TestClient, bearer: dict) -> None:
    response = client.post("/api/entities/merge", json={"left": 5}, headers=bearer)
    assert response.status_code == 422
    assert response.json()["error"]["details"]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1e999999", "is outside the domain of money"),
        ("1e400", "is outside the domain of money"),
        ("123456789012345678901234567890", "is outside the domain of money"),
        ("0.0000000001", "has 10 decimal places; at most 9"),
        ("NaN", "amount must be finite"),
        ("-Infinity", "amount must be finite"),
        ("sNaN", "amount must be finite"),
    ],
)
def test_corrections_outside_the_domain_are_refused(
    client: TestClient, demo_db: str, bearer: dict, amount: str, message: str
) -> None:
    """A token-holder's correction of 1e999999 once made every claims page answer 500."""
    before = counts(demo_db)
    claim = some_claim(client)  # a USD claim about SoftBank
    response = client.post(f"/api/claims/{claim['id']}/correction", json={"amount": amount},
                           headers=bearer)  # fmt: skip
    assert response.status_code == 422, response.text
    assert message in response.json()["error"]["message"]
    assert counts(demo_db) == before
    assert client.get("/api/claims").status_code == 200


def _add(demo_db: str, name: str) -> tuple[str, str]:
    """Store a hostile fixture with one claim on it; returns the source and claim ids."""
    source = read_document(HOSTILE / name).source
    quote = "OpenAI signed a major partnership with Oracle"
    start = source.text.index(quote)
    claim = Claim(source.id, ClaimKind.CONTRACT, Quantity(30 * 10**9, "USD"), quote, start,
                  start + len(quote), "test 1.0", subject_id="openai",
                  object_id="oracle")  # fmt: skip
    with Store.open(demo_db) as store:
        store.add_document(source, [claim])
    return source.id, claim.id


@pytest.mark.parametrize(
    "name", ["address-javascript.txt", "address-mixed-case.txt", "address-data.txt"]
)
def test_only_http_addresses_become_links(client: TestClient, demo_db: str, name: str) -> None:
    source_id, claim_id = _add(demo_db, name)
    for page in (f"/sources/{source_id}", f"/claims/{claim_id}", "/entities/openai"):
        html = client.get(page).text
        assert 'class="address"' in html, page  # shown, as text
        for scheme in ("javascript:", "data:", "JaVaScRiPt:"):
            assert f'href="{scheme}' not in html, page
    assert client.get(f"/api/sources/{source_id}").json()["source"]["url"]  # kept as written


def test_http_addresses_are_links(client: TestClient) -> None:
    source = client.get("/api/sources", params={"size": 1}).json()["items"][0]
    html = client.get(f"/sources/{source['id']}").text
    if source["url"]:
        assert f'href="{source["url"]}"' in html


def test_login_needs_the_login_pages_csrf_token(client: TestClient, token: str) -> None:
    """Without it, another site could log a browser in with the attacker's token."""
    forged = client.post("/login", data={"token": token}, follow_redirects=False)
    assert forged.status_code == 403
    assert "stargate_session" not in forged.cookies
    page = client.get("/login")
    cookie = page.headers["set-cookie"]
    assert "stargate_login=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/login" in cookie
    csrf = form_csrf(page.text)
    with TestClient(client.app) as other:  # another browser: its own login cookie
        other.get("/login")
        stolen = other.post("/login", data={"token": token, "csrf": csrf},
                            follow_redirects=False)  # fmt: skip
        assert stolen.status_code == 403
        assert "stargate_session" not in stolen.cookies
    done = client.post("/login", data={"token": token, "csrf": csrf}, follow_redirects=False)
    assert done.status_code == 303


def test_the_session_cookie_is_its_own_identifier(client: TestClient, token: str) -> None:
    client.get("/login")
    csrf = form_csrf(client.get("/login").text)
    response = client.post("/login", data={"token": token, "csrf": csrf}, follow_redirects=False)
    session = response.cookies["stargate_session"]
    assert session != token
    assert token not in response.headers["set-cookie"]
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Max-Age=43200" in cookie  # 12 hours


def test_logout_needs_csrf_and_ends_the_session_server_side(
    client: TestClient, token: str, demo_db: str
) -> None:
    csrf = login(client, token)
    session = client.cookies["stargate_session"]
    refused = client.post("/logout", follow_redirects=False)
    assert refused.status_code == 403
    assert 'id="user"' in client.get("/stress").text  # still logged in
    done = client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert done.status_code == 303
    with TestClient(client.app) as replay:  # the old cookie, replayed after logout
        replay.cookies.set("stargate_session", session)
        claim = some_claim(replay)["id"]
        response = replay.post(f"/claims/{claim}/review", data={"action": "reject", "csrf": csrf},
                               follow_redirects=False)  # fmt: skip
        assert response.status_code == 401
        assert 'id="user"' not in replay.get("/stress").text


def test_revoking_the_token_ends_its_sessions(client: TestClient, token: str, demo_db: str) -> None:
    csrf = login(client, token)
    claim = some_claim(client)["id"]
    with Store.open(demo_db) as store:
        assert store.tokens.revoke("reviewer") == 1
    response = client.post(f"/claims/{claim}/review", data={"action": "reject", "csrf": csrf},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 401
    assert 'id="user"' not in client.get("/stress").text


def test_sessions_expire(demo_db: str, token: str) -> None:
    # three seconds, and no background results competing for the CPU while logging in
    settings = Settings(db=demo_db, session_hours=3 / 3600, precompute=False)
    with TestClient(create_app(settings)) as client:
        csrf = login(client, token)
        claim = some_claim(client)["id"]
        time.sleep(3.2)
        response = client.post(f"/claims/{claim}/review", data={"action": "reject",
                               "csrf": csrf}, follow_redirects=False)  # fmt: skip
        assert response.status_code == 401


def test_a_store_poisoned_before_the_domain_existed_still_serves(tmp_path: Path) -> None:
    """A 4,500-digit amount written before migration 0006 once made /claims, /api/claims and
    entity pages answer 500 for good. Opening the app migrates: the claim is retracted, with a
    reason, and every page serves."""
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = database.connect(url)
    with database.writer(engine).begin() as connection:
        command.upgrade(database._alembic_config(connection), "0005")
    Store(engine).add_entities(load_gazetteer())
    source = read_document(HOSTILE / "huge-amounts.txt").source
    quote = source.text[:30]
    with engine.begin() as connection:  # as an older stargate stored it: no domain then
        connection.execute(
            text("INSERT INTO sources (id, title, kind, source_type, metadata, text, "
                 "ingested_at) VALUES (:id, 'a', 'news', 'thirdParty', '{}', :text, :at)"),
            {"id": source.id, "text": source.text, "at": datetime.now(UTC)},
        )  # fmt: skip
        connection.execute(
            text('INSERT INTO excerpts (id, source_id, start, "end", text) '
                 "VALUES ('x', :source, 0, 30, :quote)"),
            {"source": source.id, "quote": quote},
        )  # fmt: skip
        connection.execute(
            text('INSERT INTO claims (id, source_id, excerpt_id, subject_id, kind, amount, '
                 'bound, unit, status, polarity, quote, start, "end", origin, confidence, rank, '
                 "created_at) VALUES ('poison', :source, 'x', 'softbank', 'investment', "
                 ":amount, 'exact', 'USD', 'announced', 'asserts', :quote, 0, 30, "
                 "'old 0.1', 1.0, 'normal', :at)"),
            {"source": source.id, "amount": "9" * 4500, "quote": quote, "at": datetime.now(UTC)},
        )  # fmt: skip
    engine.dispose()
    with TestClient(create_app(Settings(db=url, precompute=False, results_scenarios=50))) as client:
        for page in ("/claims", "/api/claims", "/entities/softbank", "/api/entities/softbank",
                     "/claims.json", f"/sources/{source.id}", "/"):  # fmt: skip
            assert client.get(page).status_code == 200, page
        assert client.get("/api/claims/poison").status_code == 404
    with Store.open(url) as store:
        assert [f.id for f in store.flagged_claims()] == ["poison"]
