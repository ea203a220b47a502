"""The publish and retainer handlers against a fake broker adapter: wire shapes, codes, what reaches the port."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mqttgate.app import create_app
from mqttgate.broker.adapter import Publish, RetainedMessage
from mqttgate.broker.errors import BrokerUnavailable, NotAuthorized
from mqttgate.config import load_config
from tests.fakes import T0, FakeApiKeys, FakeBroker, WithState

AUTH = ("key", "secret")


@pytest.fixture
def fake():
    return FakeBroker()


@pytest.fixture
def api(fake, tmp_path):
    config = load_config(None, {"MQTTGATE_DATA_DIR": str(tmp_path), "MQTTGATE_REST_API__VALIDATE_RESPONSES": "true"})
    app = WithState(create_app(config).api, broker=fake, api_keys=FakeApiKeys(), node="mqttgate@test")
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_publish_passes_the_decoded_message_with_defaults_as_the_api_key(api, fake):
    assert api.post("/api/v5/publish", json={"topic": "t", "payload": "hé"}, auth=AUTH).json() == {"id": "id-0"}
    body = {"topic": "t", "payload": "AAEC", "payload_encoding": "base64", "qos": 2, "retain": True}
    assert api.post("/api/v5/publish", json=body, auth=AUTH).status_code == 200
    assert fake.published == [("key", [Publish("t", "hé".encode(), 0, False)]),
                              ("key", [Publish("t", b"\x00\x01\x02", 2, True)])]


def test_no_subscriber_is_202_and_bulk_is_202_if_any_had_none(api, fake):
    fake.subscribers["lonely"] = 0
    single = api.post("/api/v5/publish", json={"topic": "lonely", "payload": "x"}, auth=AUTH)
    assert (single.status_code, single.json()) == (202, {"reason_code": 16, "message": "no_matching_subscribers"})
    bulk = api.post("/api/v5/publish/bulk", json=[{"topic": "t", "payload": "1"}, {"topic": "lonely", "payload": "2"}],
                    auth=AUTH)
    assert bulk.status_code == 202
    assert bulk.json() == [{"id": "id-0"}, {"reason_code": 16, "message": "no_matching_subscribers"}]
    assert api.post("/api/v5/publish/bulk", json=[{"topic": "t", "payload": "1"}], auth=AUTH).status_code == 200


@pytest.mark.parametrize("topic", ["a/+", "#", "$SYS/x", "", "a\u0000"])
def test_a_topic_the_spec_refuses_is_bad_topic_before_the_port_is_asked(api, fake, topic):
    for path, body in (("publish", {"topic": topic, "payload": "x"}),
                       ("publish/bulk", [{"topic": "ok", "payload": "x"}, {"topic": topic, "payload": "x"}])):
        response = api.post(f"/api/v5/{path}", json=body, auth=AUTH)
        assert response.status_code == 400 and response.json()["code"] == "BAD_TOPIC"
    assert fake.published == []


def test_bad_base64_in_a_bulk_names_the_message_and_publishes_nothing(api, fake):
    body = [{"topic": "t", "payload": "x"}, {"topic": "t", "payload": "@@", "payload_encoding": "base64"}]
    response = api.post("/api/v5/publish/bulk", json=body, auth=AUTH)
    assert response.json() == {"code": "BAD_REQUEST", "message": "Message at index 1: payload is not valid base64"}
    assert fake.published == []


@pytest.mark.parametrize("error, status, code", [
    (NotAuthorized("API key 'key' may not publish to topic 't'"), 403, "NOT_AUTHORIZED"),
    (BrokerUnavailable(), 503, "SERVICE_UNAVAILABLE"),
])
def test_port_errors_map_to_their_status_and_code(api, fake, error, status, code):
    fake.fail_with = error
    for path, body in (("publish", {"topic": "t", "payload": "x"}), ("publish/bulk", [{"topic": "t", "payload": "x"}])):
        response = api.post(f"/api/v5/{path}", json=body, auth=AUTH)
        assert (response.status_code, response.json()) == (status, {"code": code, "message": error.message})


def test_publish_needs_credentials(api, fake):
    response = api.post("/api/v5/publish", json={"topic": "t", "payload": "x"})
    assert response.status_code == 401
    assert fake.published == []


def test_retained_shapes(api, fake):
    fake.retained["a/b"] = RetainedMessage(topic="a/b", payload=b"\xff\x00", qos=1, msgid="m1", publish_at=T0,
                                           from_clientid="c", from_username=None)
    listed = api.get("/api/v5/mqtt/retainer/messages", auth=AUTH).json()
    assert listed == {"data": [{"topic": "a/b", "qos": 1, "msgid": "m1", "publish_at": "2026-01-02T03:04:05.678+00:00",
                                "from_clientid": "c", "from_username": None}],
                      "meta": {"page": 1, "limit": 100, "count": 1, "hasnext": False}}
    one = api.get("/api/v5/mqtt/retainer/message/a%2Fb", auth=AUTH).json()
    assert one == {**listed["data"][0], "payload": "/wA="}
    assert api.delete("/api/v5/mqtt/retainer/message/a/b", auth=AUTH).status_code == 204
    assert api.get("/api/v5/mqtt/retainer/message/a/b", auth=AUTH).json()["code"] == "NOT_FOUND"
