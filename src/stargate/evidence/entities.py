"""The gazetteer: canonical organisations, their aliases and their people, kept as YAML data.

The bundled gazetteer is ``stargate/data/entities.yaml``; users extend it with files of the same
shape. A person becomes an entity of type ``person`` whose ``parent_id`` is the organisation they
speak for (Sam Altman -> OpenAI), so a quote by the person can be tied to the organisation.
"""

from __future__ import annotations

import re
import unicodedata
from importlib import resources
from pathlib import Path
from typing import Any

from stargate.errors import StargateError
from stargate.ledger.records import Entity, EntityType
from stargate.yamlfile import read_yaml


class GazetteerError(StargateError, ValueError):
    """A gazetteer file that does not validate; the message names the file, row and field."""


def slug(name: str) -> str:
    """A stable id from a name: 'Sam Altman' -> 'sam-altman'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def bundled_gazetteer() -> Path:
    return Path(str(resources.files("stargate") / "data" / "entities.yaml"))


def load_gazetteer(path: Path | None = None) -> list[Entity]:
    """Entities (organisations first, then people) from a gazetteer YAML file."""
    path = path or bundled_gazetteer()
    rows = read_yaml(path, GazetteerError)
    if not isinstance(rows, list):
        raise GazetteerError(f"{path}: expected a list of organisations at the top level")
    organisations: list[Entity] = []
    people: list[Entity] = []
    seen: set[str] = set()
    for index, row in enumerate(rows, start=1):
        where = f"{path}: row {index}"
        if not isinstance(row, dict):
            raise GazetteerError(f"{where}: expected a mapping, got {type(row).__name__}")
        name = _text(row, "name", where)
        entity_id = str(row.get("id") or slug(name))
        if entity_id in seen:
            raise GazetteerError(f"{where}: field 'id': duplicate id {entity_id!r}")
        seen.add(entity_id)
        try:
            kind = EntityType(row.get("type", "organization"))
        except ValueError:
            allowed = ", ".join(t.value for t in EntityType)
            raise GazetteerError(
                f"{where}: field 'type': {row.get('type')!r} is not one of {allowed}"
            ) from None
        organisations.append(
            Entity(
                id=entity_id,
                name=name,
                type=kind,
                aliases=_aliases(row, where),
                parent_id=row.get("parent"),
                role=row.get("role"),
            )
        )
        for person_index, person in enumerate(row.get("people") or [], start=1):
            person_where = f"{where}, person {person_index}"
            if not isinstance(person, dict):
                raise GazetteerError(f"{person_where}: expected a mapping with 'name'")
            person_name = _text(person, "name", person_where)
            people.append(
                Entity(
                    id=f"person:{slug(person_name)}",
                    name=person_name,
                    type=EntityType.PERSON,
                    aliases=_aliases(person, person_where),
                    parent_id=entity_id,
                )
            )
    known = {e.id for e in organisations}
    for entity in organisations:
        if entity.parent_id is not None and entity.parent_id not in known:
            raise GazetteerError(
                f"{path}: {entity.id}: field 'parent': unknown id {entity.parent_id!r}"
            )
    return organisations + people


def _text(row: dict[str, Any], field: str, where: str) -> str:
    value = row.get(field)
    if not isinstance(value, str) or not value.strip():
        raise GazetteerError(f"{where}: field {field!r}: a non-empty text is required")
    return value.strip()


def _aliases(row: dict[str, Any], where: str) -> tuple[str, ...]:
    aliases = row.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise GazetteerError(f"{where}: field 'aliases': expected a list of texts")
    return tuple(a.strip() for a in aliases if a.strip())
