"""The API's fast paths (mqttgate/fast_api.py and the shaping helpers): connexion's work built once, same answers."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import httpx
import pytest
from connexion import AsyncApp
from connexion.jsonifier import JSONEncoder
from connexion.middleware import ConnexionMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.options import SwaggerUIOptions
from starlette.responses import PlainTextResponse
from starlette.routing import Route, Router
from starlette.testclient import TestClient

from mqttgate.app import create_app
from mqttgate.config import load_config
from mqttgate.fast_api import FastJsonifier, IndexedRouter, UiOnlyMiddleware
from mqttgate.handlers._time import rfc3339
from tests.fakes import FakeApiKeys, FakeBroker, WithState, make_client

AUTH = ("key", "secret")


@pytest.fixture
def fake():
    return FakeBroker(make_client("a", username="alice"), make_client("b"))


@pytest.fixture
def api(fake, tmp_path):
    config = load_config(None, {"MQTTGATE_DATA_DIR": str(tmp_path), "MQTTGATE_REST_API__VALIDATE_RESPONSES": "true"})
    app = WithState(create_app(config).api, broker=fake, api_keys=FakeApiKeys(), node="mqttgate@test")
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_validators_built_once_still_judge_each_request_on_its_own(api):
    # the same operation's cached parameter validators: a bad value, a good one, a bad one again
    assert api.get("/api/v5/clients", params={"limit": 0}, auth=AUTH).status_code == 400
    assert api.get("/api/v5/clients", params={"limit": 1}, auth=AUTH).json()["meta"]["limit"] == 1
    again = api.get("/api/v5/clients", params={"limit": 10001}, auth=AUTH)
    assert again.status_code == 400 and "limit" in again.json()["message"]
    assert api.get("/api/v5/clients", params={"unknown": 1}, auth=AUTH).status_code == 400  # strict


def test_body_validators_built_once_per_media_type(api):
    for content_type in ("application/json", "application/json; charset=utf-8", "application/json"):
        bad = api.post("/api/v5/clients/a/subscribe", content=b'{"topic": "a/#", "qos": 3}', auth=AUTH,
                       headers={"Content-Type": content_type})
        assert bad.status_code == 400, content_type
        assert bad.json()["code"] == "BAD_REQUEST" and "qos" in bad.json()["message"]
        topic = api.post("/api/v5/clients/a/subscribe", content=b'{"topic": "a/#/b"}', auth=AUTH,
                         headers={"Content-Type": content_type})
        assert topic.status_code == 400 and topic.json()["code"] == "BAD_TOPIC"
    unsupported = api.post("/api/v5/clients/a/subscribe", content=b"topic=a", auth=AUTH,
                           headers={"Content-Type": "text/plain"})
    assert unsupported.status_code == 415


def test_basic_auth_with_its_signature_read_once_still_refuses_and_accepts(api):
    for _ in range(2):
        assert api.get("/api/v5/clients", auth=("key", "wrong")).status_code == 401
        assert api.get("/api/v5/clients", auth=AUTH).status_code == 200
        assert api.get("/api/v5/clients").status_code == 401


def test_response_validation_still_catches_a_nonconforming_body(api, fake):
    fake.clients["a"] = make_client("a", keepalive=-5)  # the spec says keepalive >= 0
    assert api.get("/api/v5/clients/b", auth=AUTH).status_code == 200
    assert api.get("/api/v5/clients/a", auth=AUTH).status_code == 500


def test_routes_indexed_answer_404_and_405_as_before(api):
    assert api.get("/api/v5/clients/a", auth=AUTH).json()["clientid"] == "a"
    missing = api.get("/api/v5/nothing/here", auth=AUTH)
    assert missing.status_code == 404 and missing.json()["code"] == "NOT_FOUND"
    wrong = api.put("/api/v5/clients/a", auth=AUTH)
    assert wrong.status_code == 405 and "DELETE" in wrong.headers["Allow"] and "GET" in wrong.headers["Allow"]


def _endpoint(name):
    async def answer(request):
        return PlainTextResponse(f"{name} {dict(request.path_params)}")
    return answer


ROUTES = [("/a", ["GET"]), ("/a/{x}", ["GET"]), ("/a/{x}", ["DELETE"]), ("/{any}/c", ["GET"]),
          ("/b/{rest:path}", ["POST"]), ("/", ["GET"])]
PATHS = ["/a", "/a/1", "/a/1/2", "/z/c", "/a/c", "/b/x/y", "/b", "/", "/zz", "/a/"]


@pytest.mark.parametrize("method", ["GET", "DELETE", "POST", "PUT"])
def test_indexed_router_routes_as_starlettes_router(method):
    def build(cls):
        return cls(routes=[Route(path, _endpoint(f"{path} {methods}"), methods=methods) for path, methods in ROUTES])

    def answers(router):
        with TestClient(router) as client:
            return [(r.status_code, r.text) for r in (client.request(method, p, follow_redirects=False) for p in PATHS)]

    assert answers(build(IndexedRouter)) == answers(build(Router))


UI_SPEC = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "servers": [{"url": "/api/v5"}],
           "paths": {"/status": {"get": {"operationId": "tests.test_fast_api.status",
                                         "responses": {"200": {"description": "ok"}}}}}}


async def status():
    return {"status": "ok"}


UI_PATHS = ["/api/v5/api-docs", "/api/v5/api-docs/", "/api/v5/api-docs/index.html", "/api/v5/api-docs/swagger-ui.css",
            "/api/v5/api-docs/nothing.js", "/api/v5/openapi.json", "/api/v5/openapi.json/", "/api/v5/openapi.yaml",
            "/api/v5/status", "/api/v5/status/", "/api/v5/api-docsx", "/api/v5", "/elsewhere"]


def test_ui_only_middleware_answers_every_path_as_connexions():
    def answers(ui_middleware):
        defaults = ConnexionMiddleware.default_middlewares
        middlewares = [ui_middleware if m is SwaggerUIMiddleware else m for m in defaults]
        app = AsyncApp(__name__, middlewares=middlewares,
                       swagger_ui_options=SwaggerUIOptions(swagger_ui_path="/api-docs"))
        app.add_api(copy.deepcopy(UI_SPEC))
        with TestClient(app) as client:
            return [(path, r.status_code, r.headers.get("location"), r.content)
                    for path in UI_PATHS for r in [client.get(path, follow_redirects=False)]]

    ours = answers(UiOnlyMiddleware)
    assert ours == answers(SwaggerUIMiddleware)
    assert [status for _, status, _, _ in ours[:4]] == [307, 200, 200, 200]  # the UI is there to compare


def test_fast_jsonifier_gives_the_stdlib_json_values():
    values = {"text": "ünï ✓ \u2028", "float": 1.5, "none": None, "list": [1, "2"], "nested": {"a": [True, False]},
              3: "int key"}
    data = FastJsonifier(json).dumps(values)
    assert json.loads(data) == json.loads(json.dumps(values))
    assert data.endswith(b"\n")
    huge = {"big": 2**70, "neg": -(2**65)}  # past orjson's 64 bits: the stdlib's answer
    assert FastJsonifier(json).dumps(huge) == json.dumps(huge, cls=JSONEncoder) + "\n"
    moment = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    assert json.loads(FastJsonifier(json).dumps({"t": moment, "d": Decimal("1.25")})) == {
        "t": "2026-01-02T03:04:05.678000+00:00", "d": 1.25}


def test_rfc3339_memo_keeps_each_offset():
    utc = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    paris = utc.astimezone(timezone(timedelta(hours=1)))
    assert utc == paris
    assert rfc3339(utc) == "2026-01-02T03:04:05.678+00:00"
    assert rfc3339(paris) == "2026-01-02T04:04:05.678+01:00"
    assert rfc3339(utc) == "2026-01-02T03:04:05.678+00:00"


def test_list_client_rows_are_list_clients_fields_in_order(gate):
    import paho.mqtt.client as mqtt
    clients = []
    for n in range(3):
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"row-{n}", clean_session=n != 1)
        client.connect("127.0.0.1", gate.mqtt_port)
        client.loop_start()
        clients.append(client)
    try:
        from tests.conftest import wait_for
        assert wait_for(lambda: gate.http.get("/clients").json()["meta"]["count"] == 3)
        adapter = gate.app.runtime.broker

        async def both():
            from mqttgate.broker.adapter import ClientFilter
            return (adapter.list_clients(ClientFilter(), page=1, limit=10),
                    adapter.list_client_rows(ClientFilter(), page=1, limit=10))

        typed, rows = gate.run(both())
        assert [list(row) for row in rows.items] == [list(vars(c)) for c in typed.items]
        assert rows.items == [vars(c) for c in typed.items]
        assert (rows.count, rows.hasnext) == (typed.count, typed.hasnext) == (3, False)
        listed = gate.http.get("/clients", params={"limit": 2}).json()
        assert [c["clientid"] for c in listed["data"]] == ["row-0", "row-1"] and listed["meta"]["hasnext"]
        assert listed["data"][1]["expiry_interval"] > 0 and listed["data"][0]["expiry_interval"] == 0
    finally:
        for client in clients:
            client.disconnect()
            client.loop_stop()


def test_json_answers_parse_as_before(api):
    response = api.get("/api/v5/clients", auth=AUTH)
    assert response.headers["content-type"] == "application/json"
    assert httpx.Response(200, content=response.content).json()["data"][0]["clientid"] == "a"


def test_a_spec_is_validated_once_but_a_changed_one_again():
    from connexion.exceptions import InvalidSpecification
    from connexion.spec import Specification

    from mqttgate.app import _spec

    spec = _spec()[1]
    Specification.from_dict(copy.deepcopy(spec))
    Specification.from_dict(copy.deepcopy(spec))  # the same content: not validated again, still loaded
    broken = copy.deepcopy(spec)
    broken["paths"]["/status"]["get"]["responses"] = ["not", "a", "mapping"]
    with pytest.raises(InvalidSpecification):
        Specification.from_dict(broken)
