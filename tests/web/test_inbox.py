"""The review inbox on the dashboard: readable by anyone, decided with a token."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

from stargate.cli import app
from stargate.web.app import Settings, create_app

NEWS = Path(__file__).resolve().parents[1] / "fixtures" / "news"


def test_the_inbox_lists_items_and_a_token_decides(demo_db: str, bearer: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["--db", demo_db, "ingest", str(NEWS)])
    assert result.exit_code == 0, result.stderr
    with TestClient(
        create_app(Settings(db=demo_db, precompute=False, results_scenarios=100))
    ) as client:
        data = client.get("/api/review").json()
        assert data == client.get("/review.json").json()
        by_payee = {(i["type"], i["payee"]): i for i in data["items"]}
        nscale = by_payee[("candidate", "nscale")]
        assert nscale["claim_details"][0]["quote"]
        page = client.get("/review")
        assert page.status_code == 200
        assert nscale["id"] in page.text
        assert "<button>Accept</button>" not in page.text  # no forms without a token
        refused = client.post(f"/api/review/{nscale['id']}/accept")
        assert refused.status_code == 401
        accepted = client.post(f"/api/review/{nscale['id']}/accept", headers=bearer)
        assert accepted.status_code == 200, accepted.text
        assert accepted.json() == {"accepted": nscale["id"]}
        agreements = client.get("/api/agreements", params={"size": 200}).json()["items"]
        assert any(a["payee"] == "nscale" and a["amount_usd"] == 20e9 for a in agreements)
        aws = by_payee[("status", "aws")]
        no_reason = client.post(f"/api/review/{aws['id']}/reject", json={}, headers=bearer)
        assert no_reason.status_code == 422
        rejected = client.post(f"/api/review/{aws['id']}/reject", json={"reason": "rumour"},
                               headers=bearer)  # fmt: skip
        assert rejected.status_code == 200
        left = {i["id"] for i in client.get("/api/review").json()["items"]}
        assert nscale["id"] not in left
        assert aws["id"] not in left
        gone = client.post(f"/api/review/{aws['id']}/accept", headers=bearer)
        assert gone.status_code == 404
