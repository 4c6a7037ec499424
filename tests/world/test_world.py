"""The World: curated data validation, tables and their schema, load()."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import stargate
from stargate.cli import app
from stargate.evidence.entities import load_gazetteer
from stargate.world.curated import CuratedError, curated_dir, load_curated
from stargate.world.world import SCHEMA, curated_world

REQUIRED_FINANCES = {
    "openai", "softbank", "oracle", "mgx", "nvidia", "microsoft", "amazon", "coreweave", "crusoe",
    "amd", "broadcom", "xai", "meta", "blue-owl", "stargate", "jpmorgan",
}  # fmt: skip


def test_curated_data_validates_and_cites_known_sources() -> None:
    curated = load_curated(known_entities={e.id for e in load_gazetteer()})
    assert {f.entity for f in curated.finances} >= REQUIRED_FINANCES
    for row in (*curated.agreements, *curated.sites, *curated.finances):
        assert row.sources or getattr(row, "figures", None)
        assert all(key in curated.sources for key in row.sources)
    for source in curated.sources.values():
        assert source.address.startswith("http")


@pytest.mark.parametrize(
    ("file", "change", "message"),
    [
        ("agreements.yaml", lambda r: r[0].update(kind="gift"), "row 1 (stargate-jv): field"),
        ("agreements.yaml", lambda r: r[1].update(sources=["nope"]), "unknown key 'nope'"),
        ("finances.yaml", lambda r: r[0]["priors"]["margin_long_run"].update(p5=5),
         "p5 (5.0) is above p95"),
        ("anchors.yaml", lambda r: r[0].update(spread_bp=None), "needs spread_bp"),
        ("builds.yaml", lambda r: r[0].update(agreement="nope"), "unknown agreement"),
        ("sites.yaml", lambda r: r[0]["timeline"][0].update(status="x"), "'timeline.0.status'"),
    ],
)  # fmt: skip
def test_curated_errors_name_file_row_and_field(
    tmp_path: Path, file: str, change, message: str
) -> None:
    folder = tmp_path / "curated"
    shutil.copytree(curated_dir(), folder)
    rows = yaml.safe_load((folder / file).read_text(encoding="utf-8"))
    change(rows)
    (folder / file).write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CuratedError) as caught:
        load_curated(folder)
    assert file in str(caught.value)
    assert message in str(caught.value)


def test_tables_follow_the_schema_and_payments_add_up() -> None:
    world = curated_world()
    for name, columns in SCHEMA.items():
        assert list(world.tables[name].columns) == [c.name for c in columns]
    by_agreement = world.payments.groupby("agreement_id")["amount_usd"].sum()
    curated = load_curated()
    for a in curated.agreements:
        expected = (
            a.annual_usd * a.years if a.annual_usd and a.years and not a.schedule else a.amount_usd
        )
        assert by_agreement[a.id] == pytest.approx(expected)


def test_load_includes_resolved_claims(store_url: str) -> None:
    assert CliRunner().invoke(app, ["--db", store_url, "init"]).exit_code == 0
    world = stargate.load(store_url)
    assert len(world.resolved) > 20
    disputed = world.resolved[world.resolved["state"] == "disputed"]
    assert "softbank" in {s for subjects in disputed["subjects"] for s in subjects}
