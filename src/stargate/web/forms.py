"""The stress form, generated from the scenario's JSON schema: nested objects become groups,
numbers, integers, strings and enumerations become inputs, and what has no single input (lists,
maps, optional objects) becomes a JSON text area. Posted forms are validated by the same pydantic
model as scenario files, so errors name the field."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from stargate.errors import StargateError
from stargate.finance.scenarios import Scenario


@dataclass(frozen=True, slots=True)
class FormField:
    path: str  # dotted, e.g. ``delivery.delay_years.p5``
    label: str
    widget: str  # number, integer, text, select, json
    options: tuple[str, ...] = ()
    optional: bool = False
    minimum: float | None = None
    maximum: float | None = None
    help: str | None = None


class FormError(StargateError, ValueError):
    """A posted form that does not make a valid scenario; ``errors`` maps field -> message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _deref(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in prop:
        return {**defs[prop["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in prop.items()
                                                           if k != "$ref"}}  # fmt: skip
    return prop


def _walk(schema: dict[str, Any], defs: dict[str, Any], prefix: str) -> list[FormField]:
    fields: list[FormField] = []
    for name, raw in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        prop = _deref(raw, defs)
        label = prop.get("title", name)
        options = [o for o in prop.get("anyOf", []) if o.get("type") != "null"]
        optional = len(options) < len(prop.get("anyOf", []))
        if optional and len(options) == 1 and "$ref" not in options[0]:
            prop = {**prop, **options[0]}
        kind = prop.get("type")
        if kind == "object" and "properties" in prop:
            fields.extend(_walk(prop, defs, f"{path}."))
        elif "enum" in prop:
            fields.append(FormField(path, label, "select", tuple(prop["enum"]), optional))
        elif kind in {"number", "integer"}:
            fields.append(FormField(
                path, label, kind, (), optional,
                prop.get("minimum", prop.get("exclusiveMinimum")), prop.get("maximum"),
            ))  # fmt: skip
        elif kind == "string":
            fields.append(FormField(path, label, "text", (), optional))
        else:
            fields.append(FormField(path, label, "json", (), optional, help="JSON"))
    return fields


def scenario_fields() -> list[FormField]:
    schema = Scenario.model_json_schema(by_alias=True)
    return _walk(schema, schema.get("$defs", {}), "")


def _get(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


def form_values(scenario: Scenario) -> dict[str, str]:
    """The text each input starts with, from a scenario."""
    data = scenario.model_dump(mode="json", by_alias=True)
    values = {}
    for field in scenario_fields():
        value = _get(data, field.path)
        if field.widget == "json":
            values[field.path] = json.dumps(value, ensure_ascii=False)
        else:
            values[field.path] = "" if value is None else str(value)
    return values


def parse_form(form: dict[str, str], max_scenarios: int) -> Scenario:
    """A scenario from posted text fields; every error names its field."""
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    for field in scenario_fields():
        text = (form.get(field.path) or "").strip()
        if not text:
            if not field.optional and field.widget != "json":
                errors[field.path] = "required"
            if field.optional:
                _put(data, field.path, None)
            continue
        try:
            value: Any = text
            if field.widget == "integer":
                value = int(text)
            elif field.widget == "number":
                value = float(text)
            elif field.widget == "json":
                value = json.loads(text)
        except ValueError:
            errors[field.path] = f"not a valid {field.widget}: {text[:40]!r}"
            continue
        _put(data, field.path, value)
    if errors:
        raise FormError(errors)
    return validated(data, max_scenarios)


def validated(data: dict[str, Any], max_scenarios: int) -> Scenario:
    """A scenario from plain data, or a :class:`FormError` naming each bad field."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        raise FormError({
            ".".join(str(p) for p in e["loc"]) or "scenario": e["msg"] for e in error.errors()
        }) from error  # fmt: skip
    if scenario.scenarios > max_scenarios:
        raise FormError({"scenarios": f"at most {max_scenarios:,} from the dashboard; "
                         "use `stargate stress` for more"})  # fmt: skip
    return scenario


def merged(base: dict[str, Any], overrides: dict[str, Any], max_scenarios: int) -> Scenario:
    """A built-in scenario's data with ``overrides`` merged in (nested objects key by key)."""

    def merge(into: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
        out = dict(into)
        for key, value in extra.items():
            if isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = merge(out[key], value)
            else:
                out[key] = value
        return out

    return validated(merge(base, overrides), max_scenarios)
