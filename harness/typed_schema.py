"""JSON Schema (2020-12) derived from typed records, and a checker naming the first mismatch.

A record is a dataclass or a TypedDict: its type hints are the description. Extra keywords
ride in ``Annotated[hint, {...}]``; ``{"optional": True}`` marks a key that is left out
rather than null. Records refer to each other by their name in ``$defs``, given by the
caller's table of records. The checker reads what a reader needs to use a document (types,
required keys, enums, consts); lengths, patterns and minimums stay the writer's contract,
which the self-tests check with a full JSON Schema validator.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from typing import Annotated, Any, get_args, get_origin, get_type_hints

Schema = dict[str, Any]
Records = Mapping[str, type]  # the records of a document by their name in $defs

_JSON_TYPES = {str: "string", bool: "boolean", int: "integer", float: "number"}


def record(cls: type, records: Records) -> Schema:
    """The schema of one record: an object with exactly its keys."""
    properties, required = {}, []
    for name, hint in get_type_hints(cls, include_extras=True).items():
        keywords: Schema = {}
        if get_origin(hint) is Annotated:
            hint, *metadata = get_args(hint)
            for item in metadata:
                keywords |= item
        if keywords.pop("optional", False):
            # An optional key is left out rather than null: its schema is the type without None.
            if isinstance(hint, types.UnionType):
                (hint,) = set(get_args(hint)) - {types.NoneType}
        else:
            required.append(name)
        properties[name] = of(hint, records) | keywords
    return {
        "type": "object",
        "required": required,
        "additionalProperties": False,
        "properties": properties,
    }


def of(hint: Any, records: Records) -> Schema:
    """The schema of a value of type ``hint``; a record becomes a ``$ref``."""
    if hint in _JSON_TYPES:
        return {"type": _JSON_TYPES[hint]}
    if get_origin(hint) is list:
        return {"type": "array", "items": of(get_args(hint)[0], records)}
    if isinstance(hint, types.UnionType):
        (inner,) = set(get_args(hint)) - {types.NoneType}
        either = of(inner, records)
        if set(either) == {"type"}:
            return {"type": [either["type"], "null"]}
        return {"oneOf": [{"type": "null"}, either]}
    (name,) = [name for name, cls in records.items() if cls is hint]
    return {"$ref": f"#/$defs/{name}"}


class _Mismatch(Exception):
    pass


_MISSING = object()
_TYPE_CHECKS: dict[str, Callable[[object], bool]] = {
    "string": lambda value: isinstance(value, str),
    # bool is an int in Python, not in JSON: true is no duration.
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "boolean": lambda value: isinstance(value, bool),
    "array": lambda value: isinstance(value, list),
    "object": lambda value: isinstance(value, dict),
    "null": lambda value: value is None,
}
_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "an array",
    "object": "an object",
    "null": "null",
}


def first_mismatch(document: Schema, schema: Schema) -> str | None:
    """Where ``document`` first departs from ``schema`` (an object schema with ``$defs``),
    in one phrase, or None."""
    try:
        _check_record(document, schema, "", schema.get("$defs", {}))
    except _Mismatch as mismatch:
        return str(mismatch)
    return None


def _check_record(value: Schema, record_schema: Schema, where: str, defs: Schema) -> None:
    # A cell is located by its node id too.
    if isinstance(value.get("nodeid"), str):
        where = f"{where} ({value['nodeid']})"
    for key, key_schema in record_schema["properties"].items():
        item = value.get(key, _MISSING)
        if item is not _MISSING or key in record_schema["required"]:
            _check_value(item, key_schema, where, key, defs)


def _check_value(value: object, value_schema: Schema, where: str, key: str, defs: Schema) -> None:
    """Check one value against its schema; ``where`` is the enclosing record's place."""
    branches = [_resolved(branch, defs) for branch in value_schema.get("oneOf", [value_schema])]
    matching = [branch for branch in branches if _has_type(value, branch)]
    prefix = f"{where}: " if where else ""
    if not matching:
        expected = " or ".join(_expected(branch) for branch in branches)
        raise _Mismatch(f"{prefix}'{key}' is missing or not {expected}")
    value_schema = matching[0]
    if "enum" in value_schema and value not in value_schema["enum"]:
        allowed = ", ".join(sorted(value_schema["enum"]))
        raise _Mismatch(f"{prefix}{key} {value!r} is not one of {allowed}")
    place = f"{where}.{key}" if where else key
    if isinstance(value, dict):
        _check_record(value, value_schema, place, defs)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_value(item, value_schema["items"], where, f"{key}[{index}]", defs)


def _resolved(value_schema: Schema, defs: Schema) -> Schema:
    if "$ref" in value_schema:
        return defs[value_schema["$ref"].removeprefix("#/$defs/")]
    return value_schema


def _has_type(value: object, value_schema: Schema) -> bool:
    if "const" in value_schema:
        return value == value_schema["const"]
    return any(_TYPE_CHECKS[kind](value) for kind in _kinds(value_schema))


def _expected(value_schema: Schema) -> str:
    return " or ".join(_TYPE_NAMES[kind] for kind in _kinds(value_schema))


def _kinds(value_schema: Schema) -> list[str]:
    kinds = value_schema["type"]
    return [kinds] if isinstance(kinds, str) else kinds
