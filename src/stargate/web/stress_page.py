"""The stress page's data: the built-in scenarios, the scenario form (a built-in's values, or what
the user posted with each field's error), the cached results and the recent runs. Shared by the
read route (``/stress``) and the form's write route, which shows the page again on a bad field."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import HTTPException, Request

from stargate.web import risk, views
from stargate.web.context import web
from stargate.web.results import CACHE_USER, TIME_TRAVEL_USER


def stress_data(
    request: Request, chosen: str, values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The stress page: the built-in scenarios, the form (a built-in's values, or what the user
    posted with the errors of each field), the cached results and the recent runs."""
    from stargate.finance.scenarios import ScenarioError, load_scenario
    from stargate.web.forms import form_values, scenario_fields

    state = web(request)
    names = state.results.names()
    if chosen not in names:
        raise views.NotFoundError(
            f"no built-in scenario {chosen!r}; choose one of {', '.join(names)}"
        )
    try:
        loaded = [load_scenario(name) for name in names]
    except ScenarioError as error:  # a broken bundled file is a server bug, said plainly
        raise HTTPException(500, str(error)) from error
    current = next(s for s in loaded if s.name == chosen)
    return {
        "scenarios": [{"name": s.name, "description": s.description, "horizon": list(s.horizon),
                       "scenarios": s.scenarios, "seed": s.seed} for s in loaded],
        "chosen": chosen,
        "fields": [asdict(f) for f in scenario_fields()],
        "values": values if values is not None else form_values(current),
        "errors": errors or {},
        "max_scenarios": state.settings.max_stress_scenarios,
        "cached": risk.scenarios(state.results),
        "runs": state.store.runs.recent(exclude=(CACHE_USER, TIME_TRAVEL_USER)),
    }  # fmt: skip
