"""Reading the project's YAML data files with one clear error per failure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from stargate.errors import StargateError


def read_yaml(path: Path, error: type[StargateError]) -> Any:
    """The parsed document; ``error("PATH: reason")`` when it cannot be read or parsed."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as failure:
        raise error(f"{path}: cannot read: {failure}") from None
    except yaml.YAMLError as failure:
        raise error(f"{path}: not valid YAML: {failure}") from None
