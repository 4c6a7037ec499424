"""Exposures: who is owed what by whom, by year (from the World's payment schedules)."""

from __future__ import annotations

import pandas as pd

from stargate.world.world import World


def exposures(world: World, entity: str | None = None) -> pd.DataFrame:
    """Tidy table creditor, debtor, kind, year, amount_usd (capex programmes, which pay no one
    in the network, are left out); ``entity`` keeps rows where it is creditor or debtor."""
    payments = world.payments.dropna(subset=["payee"])
    grouped = payments.groupby(
        ["payee", "payer", "kind", "year"], as_index=False, observed=True
    ).agg(amount_usd=("amount_usd", "sum"))
    table = grouped.rename(columns={"payee": "creditor", "payer": "debtor"})
    table = table.sort_values(["creditor", "debtor", "year"], ignore_index=True)
    if entity is not None:
        table = table[(table["creditor"] == entity) | (table["debtor"] == entity)]
    result: pd.DataFrame = table.reset_index(drop=True)
    return result
