"""A request's JSON Schema compiled into one Python check: a valid value passes without jsonschema's walk.

jsonschema walks a schema keyword by keyword for every value, through generators: half the
time of a POST /publish/bulk of 100 messages went there (py-spy, bench/publish.py). The
schemas the spec gives requests use a few keywords; `compile_check` turns such a schema into
a function that says whether a value is valid, and gives None for a schema using anything
else. The check only ever says yes where jsonschema (Draft 4, as connexion validates) would
too; where it says no, jsonschema validates as before and gives its own error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

_TYPES: dict[str, Check] = {
    "object": lambda value: type(value) is dict,
    "array": lambda value: type(value) is list,
    "string": lambda value: type(value) is str,
    "integer": lambda value: type(value) is int,  # Draft 4: no floats, no booleans
    "number": lambda value: type(value) in (int, float),
    "boolean": lambda value: type(value) is bool,
}
# they check nothing: annotations, and where connexion keeps the spec's schemas beside a body's
_NOTES = {"description", "example", "examples", "default", "title", "components", "definitions"}


class _Unsupported(Exception):
    pass


def compile_check(schema: Any) -> Check | None:
    """A check equivalent to `schema` where it passes a value, or None if the schema uses what it does not know."""
    try:
        return _compile(schema)
    except _Unsupported:
        return None


def _compile(schema: Any) -> Check:
    if not isinstance(schema, dict):
        raise _Unsupported
    checks: list[Check] = []
    for keyword, argument in schema.items():
        if keyword in _NOTES or keyword.startswith("x-"):
            continue
        checks.append(_keyword(keyword, argument, schema))
    if len(checks) == 1:
        return checks[0]
    return lambda value: all(check(value) for check in checks)


def _keyword(keyword: str, argument: Any, schema: dict[str, Any]) -> Check:
    if keyword == "type" and isinstance(argument, str) and argument in _TYPES:
        return _TYPES[argument]
    if keyword == "enum" and isinstance(argument, list) and all(type(e) in (str, int, bool) for e in argument):
        allowed = frozenset((type(e), e) for e in argument)  # 1 and True stay apart, as in jsonschema
        return lambda value: type(value) in (str, int, bool) and (type(value), value) in allowed
    if keyword in ("minLength", "maxLength", "minItems", "maxItems") and type(argument) is int:
        kind = str if keyword.endswith("Length") else list
        if keyword.startswith("min"):
            return lambda value: type(value) is not kind or len(value) >= argument
        return lambda value: type(value) is not kind or len(value) <= argument
    if keyword in ("minimum", "maximum") and type(argument) in (int, float) \
            and not schema.get("exclusiveMinimum") and not schema.get("exclusiveMaximum"):
        if keyword == "minimum":
            return lambda value: type(value) not in (int, float) or value >= argument
        return lambda value: type(value) not in (int, float) or value <= argument
    if keyword == "pattern" and isinstance(argument, str):
        search = re.compile(argument).search  # jsonschema searches, unanchored
        return lambda value: type(value) is not str or search(value) is not None
    if keyword == "required" and isinstance(argument, list):
        names = tuple(argument)
        return lambda value: type(value) is not dict or all(name in value for name in names)
    if keyword == "additionalProperties" and argument is False:
        known = frozenset(schema.get("properties", {}))
        return lambda value: type(value) is not dict or known.issuperset(value)
    if keyword == "properties" and isinstance(argument, dict):
        properties = [(name, _compile(sub)) for name, sub in argument.items()]
        return lambda value: type(value) is not dict or all(
            check(value[name]) for name, check in properties if name in value)
    if keyword == "items" and isinstance(argument, dict):
        item = _compile(argument)
        return lambda value: type(value) is not list or all(map(item, value))
    raise _Unsupported(keyword)
