"""``stargate export``: the ledger and the World in one SQLite file for Datasette, or the World
alone as JSON, CSV, GraphML or FollowTheMoney lines."""

from __future__ import annotations

from pathlib import Path

import click

from stargate.cli.common import emit_json, json_option, load_world, open_store, out


@click.command("export")
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

    if fmt != "sqlite":
        from stargate.publish.world import export as export_world

        written = [str(p) for p in export_world(load_world(), fmt, out_path)]
        if as_json_:
            emit_json({"written": written})
        else:
            for path in written:
                out.print(f"wrote {path}", markup=False)
        return
    from stargate.publish.sqlite import publish

    world = load_world()
    with open_store() as store:
        counts = publish(store, world, out_path, force=force)
    if as_json_:
        emit_json({"written": [str(out_path), f"{out_path}.metadata.json"], "rows": counts})
        return
    out.print(f"wrote {out_path} ({sum(counts.values()):,} rows in {len(counts)} tables) and "
              f"{out_path}.metadata.json; open with: datasette {out_path} --metadata "
              f"{out_path}.metadata.json", markup=False)  # fmt: skip


COMMANDS = (export,)
