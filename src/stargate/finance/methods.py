"""The one registry of clearing and contagion methods: the command line, the scenario files and
the simulator all read it.

Each entry names the function that implements it; the function is imported when first asked
for, so listing the methods (``stargate clear --help``) does not load the numerical stack.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True, slots=True)
class Method:
    """A method: where its function lives, and whether it clears payments (usable in a
    multi-period simulation) or only measures contagion."""

    name: str
    module: str
    function: str
    clears_payments: bool
    summary: str

    def solver(self) -> Callable[..., Any]:
        solver: Callable[..., Any] = getattr(importlib.import_module(self.module), self.function)
        return solver


METHODS: Final[dict[str, Method]] = {
    m.name: m
    for m in (
        Method("eisenberg_noe", "stargate.finance.clearing", "eisenberg_noe", True,
               "Eisenberg–Noe clearing vector (Management Science 47(2), 2001)"),
        Method("rogers_veraart", "stargate.finance.clearing", "rogers_veraart", True,
               "Rogers–Veraart clearing with default costs (Management Science 59(4), 2013)"),
        Method("furfine", "stargate.finance.cascades", "furfine", True,
               "Furfine sequential default cascade (J. Money Credit Banking 35(1), 2003)"),
        Method("debtrank", "stargate.finance.cascades", "debtrank", False,
               "DebtRank distress propagation (Battiston et al., Sci. Rep. 2:541, 2012)"),
    )
}  # fmt: skip

METHOD_NAMES: Final = tuple(METHODS)
"""Every method, for ``stargate clear --method``."""

CLEARING_METHODS: Final = tuple(m.name for m in METHODS.values() if m.clears_payments)
"""The methods a stress scenario may clear each period with."""


def solver(name: str) -> Callable[..., Any]:
    """The function of method ``name`` (a name from :data:`METHODS`)."""
    return METHODS[name].solver()
