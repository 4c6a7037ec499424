"""The one JSON cleaner: any value the package produces, as plain JSON data.

Decimals become numbers (integers when integral), enums their value, dates ISO strings, tuples
and sets lists, numpy scalars plain numbers; NaN, infinities and pandas' missing values become
``null`` (JSON has no NaN, and a missing figure is not a number).
"""

from __future__ import annotations

import enum
import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

_MISSING_TYPES = frozenset({"NAType", "NaTType"})  # pandas.NA, pandas.NaT (without pandas)


def jsonable(value: Any) -> Any:
    """Plain JSON data for ``value`` (recursively through mappings and sequences)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [jsonable(v) for v in items]
    if type(value).__name__ in _MISSING_TYPES:
        return None
    if hasattr(value, "isoformat"):  # pandas.Timestamp, numpy datetime wrappers
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return jsonable(value.item())
    if hasattr(value, "tolist"):  # numpy arrays
        return jsonable(value.tolist())
    return value
