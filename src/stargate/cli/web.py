"""``stargate serve`` (the dashboard) and ``stargate token`` (who may write)."""

from __future__ import annotations

from datetime import datetime

import click

from stargate.cli.common import (
    as_of_option,
    database,
    day,
    emit_json,
    err,
    json_option,
    open_store,
    out,
)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--max-stress-scenarios", type=click.IntRange(min=1), default=200_000, show_default=True,
    help="The most scenarios one run started from the dashboard may ask for.",
)  # fmt: skip
@click.option(
    "--results-scenarios", type=click.IntRange(min=1), default=2_000, show_default=True,
    help="Scenarios per built-in result the dashboard computes in the background for everyone.",
)  # fmt: skip
@click.option(
    "--time-travel-scenarios", type=click.IntRange(min=1), default=400, show_default=True,
    help="Scenarios per month of the time travel (the baseline as of each month).",
)  # fmt: skip
@as_of_option
def serve(
    host: str, port: int, max_stress_scenarios: int, results_scenarios: int,
    time_travel_scenarios: int, as_of: datetime | None,
) -> None:  # fmt: skip
    """Serve the dashboard (binds to loopback unless told otherwise)."""
    import uvicorn

    from stargate.web import assets
    from stargate.web.app import create_app
    from stargate.web.context import Settings

    settings = Settings(
        db=database(), max_stress_scenarios=max_stress_scenarios, as_of=day(as_of),
        results_scenarios=results_scenarios, time_travel_scenarios=time_travel_scenarios,
    )  # fmt: skip
    web_app = create_app(settings)
    if missing := assets.missing():
        err.print(f"[yellow]warning:[/yellow] charts are off, not built: {', '.join(missing)} "
                  "(run `make assets`)")  # fmt: skip
    if host not in {"127.0.0.1", "localhost", "::1"}:
        err.print(f"[yellow]warning:[/yellow] listening on {host}: reads are open to that network")
    shown = f"[{host}]" if ":" in host else host
    out.print(f"stargate dashboard at http://{shown}:{port}/ (Ctrl-C to stop)", markup=False)
    uvicorn.run(web_app, host=host, port=port, log_level="warning")


@click.group()
def token() -> None:
    """Tokens for writes (reviews, merges) and stress runs on the dashboard."""


@token.command("create")
@click.argument("name")
@json_option
def token_create(name: str, as_json_: bool) -> None:
    """Create a token for NAME (shown once; the store keeps only its hash)."""
    with open_store() as store:
        secret = store.tokens.create(name)
    if as_json_:
        emit_json({"name": name.strip(), "token": secret})
        return
    out.print(secret, markup=False)
    err.print(f"token for {name.strip()!r}: keep it secret; it is not shown again")


@token.command("revoke")
@click.argument("name")
@json_option
def token_revoke(name: str, as_json_: bool) -> None:
    """Revoke every token of NAME."""
    with open_store() as store:
        count = store.tokens.revoke(name)
    if as_json_:
        emit_json({"name": name, "revoked": count})
        return
    out.print(f"revoked {count} token(s) of {name}", markup=False)


COMMANDS = (serve, token)
