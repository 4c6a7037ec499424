"""Property tests against the OpenAPI schema (schemathesis): whatever it generates, valid or
not, no route answers with a server error, and errors are JSON."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings

from stargate.ledger.store import Store
from stargate.web.app import Settings, create_app


@pytest.fixture
def web_app(demo_db: str) -> FastAPI:
    return create_app(
        Settings(db=demo_db, max_stress_scenarios=50, precompute=False, results_scenarios=50)
    )


@pytest.fixture
def web_schema(web_app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", web_app)


@pytest.fixture
def auth(demo_db: str) -> dict[str, str]:
    with Store.open(demo_db) as store:
        return {"Authorization": f"Bearer {store.tokens.create('fuzzer')}"}


def operations(web_schema: Any) -> list[Any]:
    return [result.ok() for result in web_schema.get_all_operations()]


def test_the_schema_lists_every_api_route(web_schema: Any) -> None:
    paths = {op.path for op in operations(web_schema)}
    assert {"/api/overview", "/api/claims/{claim_id}/review", "/api/stress/runs"} <= paths


def test_no_server_error_on_any_input(web_schema: Any, auth: dict[str, str]) -> None:
    for operation in operations(web_schema):

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25, deadline=None, database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )  # fmt: skip
        def check(case: Any) -> None:
            response = case.call(headers=auth if case.method.upper() == "POST" else None)
            assert response.status_code < 500, (case.path, case.query, case.body, response.text)
            if response.status_code >= 400:
                assert response.json()["error"]["status"] == response.status_code

        check()
