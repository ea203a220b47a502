"""Request schemas compiled into one check: never valid where jsonschema (as connexion validates) says invalid."""

from __future__ import annotations

import copy
import random

import pytest
from connexion.json_schema import Draft4RequestValidator
from connexion.spec import Specification
from jsonschema import Draft4Validator
from starlette.testclient import TestClient

from mqttgate.app import _spec, create_app
from mqttgate.config import load_config
from mqttgate.request_parsing import JsonBodyValidator
from mqttgate.schema_check import compile_check
from tests.fakes import FakeApiKeys, FakeBroker, WithState

AUTH = ("key", "secret")


def _request_schemas():
    spec = Specification.load(copy.deepcopy(_spec()[1])).spec  # $refs resolved, as connexion validates
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                yield f"{method} {path} {parameter['name']}", parameter.get("schema", parameter)
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body:
                yield f"{method} {path} body", body


JUNK = [None, True, False, 0, 1, -1, 1.0, 2.5, "", "a", "1", "$SYS/x", "a/+", "a#", "nul\x00", "x\n",
        [], {}, [1], {"a": 1}]


def _value(schema, rng, depth=0):
    if rng.random() < 0.15 or depth > 3:
        return rng.choice(JUNK)
    if "enum" in schema:
        return rng.choice([*schema["enum"], True, 1.0, "zzz"])
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        value = {name: _value(properties.get(name, {}), rng, depth + 1) for name in schema.get("required", [])
                 if rng.random() < 0.95}
        for name, sub in properties.items():
            if rng.random() < 0.5:
                value[name] = _value(sub, rng, depth + 1)
        if rng.random() < 0.1:
            value["unknown"] = 1
        return value
    if kind == "array":
        return [_value(schema.get("items", {}), rng, depth + 1) for _ in range(rng.choice([0, 1, 2, 3]))]
    if kind == "integer":
        return rng.choice([schema.get("minimum", 0), schema.get("maximum", 10), -1, 0, 1, 2, 3, 10**6, True, 1.0])
    if kind == "boolean":
        return rng.choice([True, False, 0, "true"])
    if kind == "string":
        length = rng.choice([0, 1, 5, schema.get("maxLength", 8), schema.get("maxLength", 8) + 1])
        text = rng.choice(["", "a/b", "$x", "a+b", "#", "x\n", "A-b_1", "sensors/1", "b.tar.gz", "ab" * length])
        return text[:length + 8]
    return rng.choice(JUNK)


SCHEMAS = [(name, schema, compile_check(schema)) for name, schema in _request_schemas()]


def test_most_of_the_spec_compiles():
    assert sum(check is not None for _, _, check in SCHEMAS) >= 0.75 * len(SCHEMAS)
    assert all(check is not None for name, _, check in SCHEMAS if "publish" in name)


COMPILED = [(name, schema, check) for name, schema, check in SCHEMAS if check is not None]


@pytest.mark.parametrize(("name", "schema", "check"), COMPILED, ids=[name for name, _, _ in COMPILED])
def test_a_value_the_check_passes_is_valid_to_jsonschema(name, schema, check):
    rng = random.Random(name)
    validator = Draft4RequestValidator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    passed = failed = 0
    for _ in range(300):
        value = _value(schema, rng)
        valid = validator.is_valid(value)
        if check(value):
            assert valid, value
            passed += 1
        else:
            failed += not valid
    assert passed and failed  # both sides were tried


@pytest.mark.parametrize(("schema", "value"), [
    ({"type": "integer"}, True), ({"type": "integer"}, 1.0), ({"enum": [0, 1, 2]}, True), ({"enum": [1]}, 1.0),
    ({"type": "string", "pattern": "^a$"}, "a\n"), ({"type": "number", "minimum": 1}, float("nan")),
])
def test_where_python_and_jsonschema_differ_the_check_defers(schema, value):
    # True == 1 and 1.0 == 1 in Python; "$" matches before a last newline (in jsonschema too)
    check = compile_check(schema)
    assert not check(value) or Draft4RequestValidator(schema).is_valid(value)


def test_a_schema_with_a_keyword_it_does_not_know_is_left_to_jsonschema():
    for schema in ({"type": "string", "format": "date-time"}, {"anyOf": [{"type": "string"}]},
                   {"type": "object", "properties": {"a": {"type": "string", "nullable": True}}},
                   {"type": ["string", "null"]}, {"$ref": "#/x"}, {"type": "integer", "exclusiveMinimum": True,
                                                                    "minimum": 1}):
        assert compile_check(schema) is None, schema


def test_a_valid_body_skips_jsonschema_and_an_invalid_one_gets_its_error(tmp_path, monkeypatch):
    walked = []
    jsonschema_validator = JsonBodyValidator._validator.func

    def counted(self):
        walked.append(self._schema.get("type"))
        return jsonschema_validator(self)

    monkeypatch.setattr(JsonBodyValidator, "_validator", property(counted))
    config = load_config(None, {"MQTTGATE_DATA_DIR": str(tmp_path)})
    app = WithState(create_app(config).api, broker=FakeBroker(), api_keys=FakeApiKeys(), node="mqttgate@test")
    with TestClient(app) as api:
        messages = [{"topic": "a/b", "payload": "x", "qos": 1}, {"topic": "c", "payload": "y", "retain": True}]
        assert api.post("/api/v5/publish/bulk", json=messages, auth=AUTH).status_code in (200, 202)
        assert walked == []
        bad = api.post("/api/v5/publish/bulk", json=[{"topic": "a/b", "payload": "x", "qos": 3}], auth=AUTH)
        assert bad.status_code == 400 and "qos" in bad.json()["message"] and walked == ["array"]
