"""Handlers and error mapping against a fake broker adapter: fast, no network."""

from __future__ import annotations

import logging

import pytest
from starlette.testclient import TestClient

from mqttgate.app import create_app
from mqttgate.config import load_config
from tests.fakes import FakeApiKeys, FakeBroker, WithState, make_client

AUTH = ("key", "secret")


@pytest.fixture
def fake():
    return FakeBroker(make_client("a", username="alice"), make_client("b"), make_client("c"))


@pytest.fixture
def api(fake, tmp_path):
    config = load_config(None, {"MQTTGATE_DATA_DIR": str(tmp_path), "MQTTGATE_REST_API__VALIDATE_RESPONSES": "true"})
    app = WithState(create_app(config).api, broker=fake, api_keys=FakeApiKeys(), node="mqttgate@test")
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_status_is_public_and_503_when_the_broker_is_down(api, fake):
    ok = api.get("/api/v5/status")
    assert ok.status_code == 200
    assert ok.json()["status"] == "running" and ok.json()["node"] == "mqttgate@test"
    fake.running = False
    down = api.get("/api/v5/status")
    assert down.status_code == 503
    assert down.json() == {"code": "SERVICE_UNAVAILABLE", "message": "The broker is not running"}


def test_client_shape_uses_emqx_names_and_rfc3339(api):
    body = api.get("/api/v5/clients/a", auth=AUTH).json()
    assert body["clientid"] == "a" and body["username"] == "alice" and body["node"] == "mqttgate@test"
    assert body["connected_at"] == "2026-01-02T03:04:05.678+00:00"
    assert "disconnected_at" not in body


def test_list_pages(api):
    body = api.get("/api/v5/clients", params={"limit": 2, "page": 2}, auth=AUTH).json()
    assert [c["clientid"] for c in body["data"]] == ["c"]
    assert body["meta"] == {"page": 2, "limit": 2, "count": 3, "hasnext": False}


def test_kick_answers_204_and_kicks(api, fake):
    response = api.delete("/api/v5/clients/b", auth=AUTH)
    assert response.status_code == 204
    assert fake.kicked == ["b"]


@pytest.mark.parametrize("auth", [None, ("key", "wrong"), ("nokey", "secret")])
def test_wrong_or_missing_credentials_are_401_with_www_authenticate(api, auth):
    response = api.get("/api/v5/clients", auth=auth)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic")
    assert response.json()["code"] == "WRONG_USERNAME_OR_PWD_OR_API_KEY_OR_API_SECRET"


def test_malformed_authorization_header_is_401(api):
    response = api.get("/api/v5/clients", headers={"Authorization": "Basic !!!notbase64"})
    assert response.status_code == 401
    assert response.json()["code"] == "WRONG_USERNAME_OR_PWD_OR_API_KEY_OR_API_SECRET"


@pytest.mark.parametrize("params, name", [
    ({"limit": "abc"}, "limit"), ({"limit": 0}, "limit"), ({"limit": 10001}, "limit"),
    ({"page": 0}, "page"), ({"conn_state": "maybe"}, "conn_state"),
])
def test_bad_parameters_are_400_naming_the_parameter(api, params, name):
    response = api.get("/api/v5/clients", params=params, auth=AUTH)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "BAD_REQUEST"
    assert f"'{name}'" in body["message"] and "\n" not in body["message"]


def test_unknown_query_parameter_is_400(api):
    response = api.get("/api/v5/clients", params={"colour": "red"}, auth=AUTH)
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST" and "colour" in response.json()["message"]


def test_unknown_path_is_404_in_emqx_shape(api):
    response = api.get("/api/v5/no/such/thing", auth=AUTH)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["code"] == "NOT_FOUND"


def test_wrong_method_is_405_with_allow(api):
    response = api.put("/api/v5/clients/a", auth=AUTH)
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "DELETE"}
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"


def test_non_utf8_in_query_and_path_matches_nothing_instead_of_failing(api):
    # invalid UTF-8 is decoded with U+FFFD, which no client id or name contains
    query = api.get("/api/v5/clients?like_clientid=%ff%fe", auth=AUTH)
    assert query.status_code == 200 and query.json()["data"] == []
    path = api.get("/api/v5/clients/%ff%fe", auth=AUTH)
    assert path.status_code == 404 and path.json()["code"] == "CLIENTID_NOT_FOUND"


def test_a_handler_bug_is_500_internal_error_with_the_cause_logged(api, fake, caplog):
    fake.fail_with = RuntimeError("boom in the adapter")
    with caplog.at_level(logging.ERROR, logger="mqttgate.api"):
        response = api.get("/api/v5/clients", auth=AUTH)
    assert response.status_code == 500
    assert response.json() == {"code": "INTERNAL_ERROR", "message": "Internal error; the cause is in the server log"}
    assert "boom in the adapter" in caplog.text


def test_docs_and_spec_are_public(api):
    assert api.get("/api-docs", follow_redirects=False).headers["location"] == "/api/v5/api-docs/"
    assert "swagger" in api.get("/api/v5/api-docs/").text.lower()
    assert api.get("/api/v5/openapi.json").json()["openapi"].startswith("3.")
    assert api.get("/api/v5/openapi.yaml").text.startswith(("openapi", "components", "info"))


def test_swagger_ui_can_be_switched_off(fake, tmp_path):
    config = load_config(None, {"MQTTGATE_DATA_DIR": str(tmp_path), "MQTTGATE_REST_API__SWAGGER_UI": "false"})
    app = WithState(create_app(config).api, broker=fake, api_keys=FakeApiKeys(), node="n")
    with TestClient(app) as client:
        assert client.get("/api-docs").status_code == 404
        assert client.get("/api/v5/api-docs/").status_code == 404


def test_repeated_query_values_keep_their_commas(api, fake):
    fake.clients["x,y"] = make_client("x,y")
    body = api.get("/api/v5/clients", params=[("clientid", "x,y"), ("clientid", "a")], auth=AUTH).json()
    assert sorted(c["clientid"] for c in body["data"]) == ["a", "x,y"]


def test_a_path_the_router_cannot_match_answers_with_the_operations_404_code(api):
    # starlette's mount does not match a newline; the answer is still the operation's own 404
    client_path = api.get("/api/v5/clients/a%0Ab", auth=AUTH)
    assert client_path.status_code == 404 and client_path.json()["code"] == "CLIENTID_NOT_FOUND"
    topic_path = api.get("/api/v5/topics/a/b%0A/c", auth=AUTH)
    assert topic_path.status_code == 404 and topic_path.json()["code"] == "TOPIC_NOT_FOUND"
