"""The spec as client generators and people read it: served as written, one Error model, typed bodies."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from mqttgate.app import SPEC_DIR
from mqttgate.errors import ERROR_CODES

SOURCE = (SPEC_DIR / "openapi.yaml").read_text(encoding="utf-8")
SPEC = yaml.safe_load(SOURCE)
ERROR_REF = {"$ref": "#/components/schemas/Error"}
METHODS = {"get", "put", "post", "delete", "patch"}


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = SPEC
        for key in node["$ref"].removeprefix("#/").split("/"):
            target = target[key]
        node = target
    return node


def operations() -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    return [(path, method, item, op) for path, item in SPEC["paths"].items()
            for method, op in item.items() if method in METHODS]


def test_the_served_spec_is_the_document_as_written(gate):
    served = gate.http.get("/openapi.json")
    assert served.status_code == 200 and served.headers["content-type"] == "application/json"
    assert served.json() == SPEC
    assert served.text.count('"$ref"') >= 300 and "ClientPage" in served.json()["components"]["schemas"]
    as_yaml = gate.http.get("/openapi.yaml")
    assert as_yaml.status_code == 200 and as_yaml.headers["content-type"].startswith("application/yaml")
    assert as_yaml.text == SOURCE
    # public, like the docs that load it
    assert httpx.get(f"{gate.base_url}/api/v5/openapi.json").status_code == 200


def test_status_answers_400_to_an_unknown_parameter_as_its_spec_says(gate):
    response = httpx.get(f"{gate.base_url}/api/v5/status", params={"colour": "red"})
    assert response.status_code == 400 and response.json()["code"] == "BAD_REQUEST"
    assert "400" in SPEC["paths"]["/status"]["get"]["responses"]


def test_every_error_response_is_a_shared_one_naming_its_codes():
    """The convention for new operations: `$ref` a components/responses entry, which lists its codes."""
    for path, method, _, op in operations():
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")):
                assert set(response) == {"$ref"}, f"{method} {path} {status}: $ref a shared response"
                assert response["$ref"].startswith("#/components/responses/")
    for name, response in SPEC["components"]["responses"].items():
        codes = response.get("x-error-codes")
        assert codes and set(codes) <= ERROR_CODES.keys(), f"{name}: x-error-codes from the catalogue"
        media = response["content"]["application/json"]
        assert media["schema"] == ERROR_REF, f"{name}: the one Error model, no allOf or enum"
        assert media["example"]["code"] in codes


def test_no_schema_mixes_properties_with_oneof_or_anyof():
    """Generators make no typed model of properties beside a oneOf (PublishMessageType0, ...)."""
    for name, schema in SPEC["components"]["schemas"].items():
        assert not ({"oneOf", "anyOf"} & schema.keys() and "properties" in schema), name


def test_every_request_body_has_an_example_its_schema_accepts():
    for path, method, _, op in operations():
        for media_type, media in op.get("requestBody", {}).get("content", {}).items():
            if media_type == "multipart/form-data":
                continue  # a file upload: no example a document can hold
            assert "example" in media, f"{method} {path}: example"
            validator = jsonschema.Draft4Validator({**media["schema"], "components": SPEC["components"]},
                                                   format_checker=jsonschema.FormatChecker())
            errors = [error.message for error in validator.iter_errors(media["example"])]
            assert errors == [], f"{method} {path}: {errors}"


def test_every_path_parameter_has_an_example():
    for path, _, item, op in operations():
        for parameter in map(resolve, [*item.get("parameters", []), *op.get("parameters", [])]):
            if parameter["in"] == "path":
                assert "example" in parameter, f"{path}: {parameter['name']}"


def test_binary_downloads_are_offered_as_octet_stream_too():
    binaries = [(path, response) for path, _, _, op in operations() for response in op["responses"].values()
                if any(m.get("schema", {}).get("format") == "binary" for m in resolve(response).get("content", {})
                       .values())]
    assert len(binaries) == 2
    for path, response in binaries:
        content = resolve(response)["content"]
        assert content["application/octet-stream"]["schema"] == {"type": "string", "format": "binary"}, path
        assert len(content) == 2, f"{path}: its own media type first, then octet-stream"


def test_every_tag_is_declared_with_a_description_and_used():
    declared = [tag["name"] for tag in SPEC["tags"]]
    used = {tag for _, _, _, op in operations() for tag in op["tags"]}
    assert set(declared) == used and len(declared) == len(set(declared))
    assert all(tag.get("description") for tag in SPEC["tags"])
    assert SPEC["info"]["license"]["name"] == "MIT"


@pytest.mark.parametrize("name", ["PublishMessage", "TraceCreate"])
def test_the_most_used_bodies_are_plain_objects(name):
    schema = SPEC["components"]["schemas"][name]
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert not {"oneOf", "anyOf", "allOf"} & schema.keys()
