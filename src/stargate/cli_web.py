"""``stargate serve`` (the dashboard) and ``stargate token`` (who may write)."""

from __future__ import annotations

from pathlib import Path

import click

from stargate.cli import _emit_json, _fail, _open, app, err, json_option, out
from stargate.ledger.store import StoreError


@app.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--max-stress-scenarios", type=click.IntRange(min=1), default=200_000, show_default=True,
    help="The most scenarios one run started from the dashboard may ask for.",
)  # fmt: skip
def serve(host: str, port: int, max_stress_scenarios: int) -> None:
    """Serve the dashboard (binds to loopback unless told otherwise)."""
    import uvicorn

    from stargate.ledger.database import DatabaseError
    from stargate.web import assets
    from stargate.web.app import Settings, create_app

    db = click.get_current_context().find_root().obj
    try:
        web_app = create_app(Settings(db=db, max_stress_scenarios=max_stress_scenarios))
    except DatabaseError as error:
        _fail(str(error))
    if missing := assets.missing():
        err.print(f"[yellow]warning:[/yellow] charts are off, not built: {', '.join(missing)} "
                  "(run `make assets`)")  # fmt: skip
    if host not in {"127.0.0.1", "localhost", "::1"}:
        err.print(f"[yellow]warning:[/yellow] listening on {host}: reads are open to that network")
    shown = f"[{host}]" if ":" in host else host
    out.print(f"stargate dashboard at http://{shown}:{port}/ (Ctrl-C to stop)", markup=False)
    uvicorn.run(web_app, host=host, port=port, log_level="warning")


@app.group()
def token() -> None:
    """Tokens for writes (reviews, merges) and stress runs on the dashboard."""


@token.command("create")
@click.argument("name")
@json_option
def token_create(name: str, as_json_: bool) -> None:
    """Create a token for NAME (shown once; the store keeps only its hash)."""
    from stargate.web.auth import create_token

    with _open() as store:
        try:
            secret = create_token(store, name)
        except StoreError as error:
            _fail(str(error))
    if as_json_:
        _emit_json({"name": name.strip(), "token": secret})
        return
    out.print(secret, markup=False)
    err.print(f"token for {name.strip()!r}: keep it secret; it is not shown again")


@token.command("revoke")
@click.argument("name")
@json_option
def token_revoke(name: str, as_json_: bool) -> None:
    """Revoke every token of NAME."""
    from stargate.web.auth import revoke_tokens

    with _open() as store:
        count = revoke_tokens(store, name)
    if as_json_:
        _emit_json({"name": name, "revoked": count})
        return
    out.print(f"revoked {count} token(s) of {name}", markup=False)


@app.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["sqlite", "json", "csv", "graphml", "ftm"]),
    required=True,
    help="sqlite: the ledger and the World in one file for Datasette (with FILE.metadata.json); "
    "json, csv, graphml, ftm: the World (as `stargate world export`).",
)  # fmt: skip
@click.option("--out", "out_path", type=click.Path(path_type=Path), required=True)
@click.option("--force", is_flag=True, help="Replace an existing file.")
@json_option
def export(fmt: str, out_path: Path, force: bool, as_json_: bool) -> None:
    """Export the ledger and the World (sqlite) or the World alone (other formats)."""
    from stargate.cli_world import _world

    if fmt != "sqlite":
        from stargate.world.export import export as export_world

        written = [str(p) for p in export_world(_world(), fmt, out_path)]
        if as_json_:
            _emit_json({"written": written})
        else:
            for path in written:
                out.print(f"wrote {path}", markup=False)
        return
    from stargate.publish import PublishError, publish

    world = _world()
    with _open() as store:
        try:
            counts = publish(store, world, out_path, force=force)
        except PublishError as error:
            _fail(str(error))
    if as_json_:
        _emit_json({"written": [str(out_path), f"{out_path}.metadata.json"], "rows": counts})
        return
    out.print(f"wrote {out_path} ({sum(counts.values()):,} rows in {len(counts)} tables) and "
              f"{out_path}.metadata.json; open with: datasette {out_path} --metadata "
              f"{out_path}.metadata.json", markup=False)  # fmt: skip
