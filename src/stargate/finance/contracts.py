"""Contracts as they are: whether an agreement binds (its status), when its capacity comes
online (its delivery path, a build queue), how its payments follow delivery, and how a distressed
tenant defers or cuts them.

- **Status.** An agreement binds with the scenario's probability for its latest status in the
  World (signed, building, operational, completed: 1; announced, letter of intent, in talks:
  less; on ice, cancelled, denied: 0); one draw per agreement, shared by its legs.
- **Delivery.** An agreement with a curated delivery path (the share of its capacity running on
  average each year) pays contracts and leases at its full yearly rate times that share, until
  its contract value is paid, and purchases as the share grows. After the as-of date the path
  slips by the drawn delivery delay and the build queue's wait (whole years); what was delivered
  before is history. An agreement with GW but no path keeps its schedule, shifted whole.
- **Deferral.** A tenant whose obligations exceed its means (cash, operating cash flow, funding
  it can raise, and what it is owed at face value) first defers up to ``max_share`` of the
  period's contract, lease and purchase payments, pro rata; ``cancel_share`` of the deferred
  amount is cut for good (the vendor's loss), the rest falls due the next period. Only what is
  still short after that can make it default (an assumption that follows how such contracts
  are renegotiated: OpenAI's CoreWeave contract may be cut after delivery failures; HSBC notes
  OpenAI's leeway to adjust its commitments, figures-for-model §5).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

CAPACITY_KINDS = frozenset({"contract", "lease", "purchase"})
REVENUE_KINDS = CAPACITY_KINDS
# curated condition rules that tie an agreement's payments to capacity delivery
DELIVERY_RULES = frozenset({"per_gw_deployed", "pay_on_delivery"})
SCHEDULED, RATE, ON_DELIVERY = 0, 1, 2


def condition_rules(conditions: object) -> set[str]:
    """The rule names of an agreement's conditions (the World lists them; an older World wrote
    ``rule: text; ...``)."""
    if isinstance(conditions, list | tuple | np.ndarray):
        return {str(rule) for rule in conditions}
    if isinstance(conditions, str):
        return set(re.findall(r"(?:^|; )([a-z_]+): ", conditions))
    return set()


def keys(value: object) -> str:
    """Source keys as text, whether the World lists them or joins them with commas."""
    if isinstance(value, list | tuple | np.ndarray):
        return ",".join(str(v) for v in value)
    return "" if value is None else str(value)


def payers_of(value: object) -> list[str]:
    """An agreement's payers, whether the World gives a list or a comma-joined string."""
    if isinstance(value, str):
        return [p for p in value.split(",") if p]
    if isinstance(value, list | tuple | np.ndarray):
        return [str(p) for p in value]
    return []


def binding(status: object, table: dict[str, float]) -> float:
    """The probability an agreement with this latest status goes ahead."""
    if not isinstance(status, str) or not status:
        return table["unknown"]
    return table.get(status, table["unknown"])


def delivery_paths(deliveries: pd.DataFrame) -> dict[str, dict[int, float]]:
    """Agreement -> {year: share running}, from the World's ``deliveries`` table."""
    paths: dict[str, dict[int, float]] = {}
    for row in deliveries.to_dict("records"):
        paths.setdefault(str(row["agreement_id"]), {})[int(row["year"])] = float(row["share"])
    return paths


def share_in(path: dict[int, float], year: int) -> float:
    """The share running in ``year``: 0 before the path, its last share after it."""
    known = [y for y in path if y <= year]
    return path[max(known)] if known else 0.0


def build_queue(legs: list[dict[str, Any]], cap_gw: float) -> NDArray[np.intp]:
    """Whole years each capacity-linked leg waits for its gigawatts when at most ``cap_gw`` can
    be built a year (power and construction limits).

    Agreements queue in the order of their first payment or delivery (then of the curated file);
    capacity accrues at ``cap_gw`` a year while an agreement is waiting, and the agreement at the
    head comes online, its whole path shifted by its wait, once the capacity built since covers
    its gigawatts; capacity does not accrue while nobody waits. The queue is the same in every
    scenario: the drawn delivery delay shifts every linked leg alike.
    """
    agreements: dict[str, tuple[int, float, list[int]]] = {}
    for k, leg in enumerate(legs):
        # only agreements that deliver capacity take a place in the queue; funding paid per GW
        # deployed follows the drawn delay but builds nothing itself
        if not leg.get("queued", leg["linked"]) or not leg["schedule"].any():
            continue
        start = int(np.flatnonzero(leg["schedule"])[0])
        first, gw, members = agreements.get(leg["agreement"], (start, 0.0, []))
        agreements[leg["agreement"]] = (min(first, start), gw + leg["capacity"], [*members, k])
    wait = np.zeros(len(legs), dtype=np.intp)
    queue = sorted(agreements.values(), key=lambda item: item[0])  # stable: file order on ties
    pool, year, head = 0.0, 0, 0
    while head < len(queue):
        start, gw, members = queue[head]
        if year < start:
            year, pool = start, 0.0  # nothing waits: no capacity accrues
        pool += cap_gw
        while head < len(queue) and queue[head][0] <= year and pool >= queue[head][1] - 1e-12:
            start, gw, members = queue[head]
            pool -= gw
            wait[members] = year - start
            head += 1
        year += 1
    return wait


def defer(
    due: NDArray[np.float64],
    deferrable: NDArray[np.bool_],
    payer: NDArray[np.intp],
    gap: NDArray[np.float64],
    max_share: float,
) -> NDArray[np.float64]:
    """(S, K) amounts deferred: a payer short by ``gap`` (> 0) defers the same share of each of
    its deferrable legs, enough to close the gap, at most ``max_share``."""
    n = gap.shape[1]
    own = (due * deferrable) @ _one_hot(payer, n)
    safe = np.where(own > 0, own, 1.0)
    share = np.where((gap > 0) & (own > 0), np.minimum(gap / safe, max_share), 0.0)
    deferred: NDArray[np.float64] = due * deferrable * share[:, payer]
    return deferred


def _one_hot(index: NDArray[np.intp], size: int) -> NDArray[np.float64]:
    """``out[k, index[k]] = 1`` (a row of zeros where ``index[k]`` is negative)."""
    out = np.zeros((len(index), size))
    keep = index >= 0
    out[np.flatnonzero(keep), index[keep]] = 1.0
    return out


one_hot = _one_hot
