"""POST /publish and /publish/bulk against the real broker, received by real MQTT clients."""

from __future__ import annotations

import base64
import socket

import httpx
import pytest

from tests.conftest import wait_for
from tests.live import gate_config, start_gate
from tests.messaging import lines, mosquitto_sub, only_marker_after, received

MIB = 1024 * 1024
RULES = "/authorization/sources/built_in_database/rules"


def test_publish_reaches_paho_and_mosquitto_sub_at_the_lower_qos(gate, mqtt_client):
    outside = mosquitto_sub(gate, "outside", "news/#", count=1, qos=1)
    paho = mqtt_client("paho")
    paho.subscribe("news/+", 0)

    response = gate.http.post("/publish", json={"topic": "news/today", "payload": "héllo", "qos": 1})

    assert response.status_code == 200
    assert len(response.json()["id"]) == 32 and response.json().keys() == {"id"}
    assert lines(outside) == ["news/today 1 0 héllo"]
    (message,) = received(paho)
    assert (message.topic, message.payload, message.qos, message.retain) == ("news/today", "héllo".encode(), 0, False)


def test_publish_qos0_is_never_upgraded(gate, mqtt_client):
    paho = mqtt_client("paho")
    paho.subscribe("q/#", 2)
    assert gate.http.post("/publish", json={"topic": "q/0", "payload": "x"}).status_code == 200
    assert [m.qos for m in received(paho)] == [0]


def test_publish_without_matching_subscriber_is_202(gate, mqtt_client):
    mqtt_client("elsewhere").subscribe("other/#", 1)
    response = gate.http.post("/publish", json={"topic": "nobody/listens", "payload": "x", "qos": 1})
    assert response.status_code == 202
    assert response.json() == {"reason_code": 16, "message": "no_matching_subscribers"}


def test_an_offline_persistent_session_counts_and_gets_it_on_reconnect(gate, mqtt_client):
    sleeper = mqtt_client("sleeper", clean_session=False)
    sleeper.subscribe("mail/#", 1)
    sleeper.close()
    assert wait_for(lambda: gate.http.get("/clients/sleeper").json()["connected"] is False)

    assert gate.http.post("/publish", json={"topic": "mail/1", "payload": "for later", "qos": 1}).status_code == 200
    assert gate.http.post("/publish", json={"topic": "mail/2", "payload": "lost", "qos": 0}).status_code == 202

    back = mqtt_client("sleeper", clean_session=False)
    assert [(m.topic, m.payload) for m in received(back)] == [("mail/1", b"for later")]


def test_base64_payload_arrives_byte_for_byte(gate, mqtt_client):
    paho = mqtt_client("paho")
    paho.subscribe("bin", 0)
    raw = bytes(range(256))
    encoded = base64.b64encode(raw).decode()
    wrapped = "\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))  # MIME line breaks are fine
    for payload in (encoded, wrapped):
        body = {"topic": "bin", "payload": payload, "payload_encoding": "base64"}
        assert gate.http.post("/publish", json=body).status_code == 200
    assert [m.payload for m in received(paho, 2)] == [raw, raw]


@pytest.mark.parametrize("topic, reason", [
    ("a/+/c", "wildcard"), ("a/#", "wildcard"), ("#", "wildcard"), ("+", "wildcard"),
    ("$SYS/broker", "broker's own"), ("$share/g/t", "broker's own"), ("", "empty"), ("a\u0000b", "NUL"),
    ("t" * 65536, "at most 65535 bytes"), ("é" * 32768, "at most 65535 bytes"),
])
def test_a_topic_mqtt_forbids_is_400_bad_topic_and_nothing_is_published(gate, mqtt_client, topic, reason):
    spy = mqtt_client("spy")
    spy.subscribe("#", 0)
    spy.subscribe("$SYS/#", 0)
    response = gate.http.post("/publish", json={"topic": topic, "payload": "x"})
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_TOPIC"
    assert reason in response.json()["message"]
    only_marker_after(gate, spy, "marker")


def test_the_longest_topic_is_accepted(gate, mqtt_client):
    spy = mqtt_client("spy")
    spy.subscribe("#", 0)
    topic = "t" * 65533 + "é"  # 65535 bytes of UTF-8
    assert gate.http.post("/publish", json={"topic": topic, "payload": "x"}).status_code == 200
    assert [m.topic for m in received(spy)] == [topic]


@pytest.mark.parametrize("payload", ["not base64!", "abc", "aGk=aGk=", "ÿÿÿÿ"])
def test_a_payload_that_is_not_base64_is_400_bad_request(gate, mqtt_client, payload):
    spy = mqtt_client("spy")
    spy.subscribe("#", 0)
    response = gate.http.post("/publish", json={"topic": "t", "payload": payload, "payload_encoding": "base64"})
    assert response.status_code == 400
    assert response.json() == {"code": "BAD_REQUEST", "message": "Payload is not valid base64"}
    only_marker_after(gate, spy, "marker")


@pytest.mark.parametrize("body", [
    {"payload": "x"}, {"topic": "t"}, {"topic": "t", "payload": "x", "qos": 3},
    {"topic": "t", "payload": "x", "payload_encoding": "hex"}, {"topic": "t", "payload": "x", "retain": "yes"},
    {"topic": "t", "payload": "x", "clientid": "c"},
])
def test_a_malformed_message_is_400_bad_request(gate, body):
    response = gate.http.post("/publish", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST"


def test_the_default_payload_limit_is_one_mib(gate, mqtt_client):
    paho = mqtt_client("paho")
    paho.subscribe("big", 0)
    too_big = gate.http.post("/publish", json={"topic": "big", "payload": "x" * (MIB + 1)})
    assert too_big.status_code == 400
    assert too_big.json() == {"code": "BAD_REQUEST", "message": (
        "Payload is 1048577 bytes, over the maximum of 1048576 (mqtt.max_payload_size)")}
    assert gate.http.post("/publish", json={"topic": "big", "payload": "x" * MIB}).status_code == 200
    assert [len(m.payload) for m in received(paho)] == [MIB]


@pytest.fixture
def small_gate(tmp_path):
    live = start_gate(gate_config(tmp_path / "data", MQTTGATE_MQTT__MAX_PAYLOAD_SIZE="100"))
    yield live
    live.stop()


def test_the_payload_limit_is_configurable_and_counts_decoded_bytes(small_gate):
    def publish(payload: str, encoding: str = "plain"):
        return small_gate.http.post("/publish", json={"topic": "t", "payload": payload, "payload_encoding": encoding})

    assert publish("x" * 100).status_code == 202
    assert publish("é" * 51).status_code == 400  # 102 bytes in UTF-8
    assert publish(base64.b64encode(b"x" * 100).decode(), "base64").status_code == 202  # 136 characters
    response = publish(base64.b64encode(b"x" * 101).decode(), "base64")
    assert response.status_code == 400
    assert "over the maximum of 100 (mqtt.max_payload_size)" in response.json()["message"]


def test_an_mqtt_client_over_the_payload_limit_is_disconnected(small_gate):
    from tests.conftest import MqttClient

    watcher = MqttClient(small_gate.mqtt_port, "watcher").connect()
    watcher.subscribe("t/#", 0)
    publisher = MqttClient(small_gate.mqtt_port, "fat").connect()
    publisher.client.reconnect_delay_set(60, 60)
    try:
        publisher.client.publish("t/small", b"x" * 100)
        publisher.client.publish("t/big", b"x" * 101)
        assert wait_for(lambda: publisher.disconnected, 10), "the connection stayed open"
        assert small_gate.http.post("/publish", json={"topic": "t/after", "payload": "m"}).status_code == 200
        assert [m.topic for m in received(watcher, 2)] == ["t/small", "t/after"]
    finally:
        publisher.close()
        watcher.close()


@pytest.mark.parametrize("topic", [b"$SYS/x", b"", b"a\x00b"])
def test_an_mqtt_publish_to_an_invalid_topic_closes_the_connection(gate, topic):
    # amqtt leaves its message loop but keeps the connection open, and the client listed as connected
    with socket.create_connection(("127.0.0.1", gate.mqtt_port)) as raw:
        raw.sendall(bytes([0x10, 15, 0, 4]) + b"MQTT" + bytes([4, 2, 0, 60, 0, 3]) + b"bad")
        assert raw.recv(4) == bytes([0x20, 2, 0, 0])
        raw.sendall(bytes([0x30, 3 + len(topic), 0, len(topic)]) + topic + b"x")
        raw.settimeout(10)
        assert raw.recv(10) == b"", "the connection stayed open"
    assert wait_for(lambda: gate.http.get("/clients/bad").status_code == 404)


def test_bulk_publishes_in_order_and_answers_each(gate, mqtt_client):
    paho = mqtt_client("paho")
    paho.subscribe("bulk/#", 1)
    body = [{"topic": f"bulk/{n}", "payload": str(n), "qos": 1} for n in range(50)]
    response = gate.http.post("/publish/bulk", json=body)
    assert response.status_code == 200
    assert len({item["id"] for item in response.json()}) == 50
    assert [m.topic for m in received(paho, 50)] == [f"bulk/{n}" for n in range(50)]


def test_bulk_with_an_unmatched_message_is_202_with_each_result(gate, mqtt_client):
    mqtt_client("paho").subscribe("seen", 0)
    body = [{"topic": "seen", "payload": "1"}, {"topic": "unseen", "payload": "2"}]
    response = gate.http.post("/publish/bulk", json=body)
    assert response.status_code == 202
    first, second = response.json()
    assert first.keys() == {"id"}
    assert second == {"reason_code": 16, "message": "no_matching_subscribers"}


@pytest.mark.parametrize("bad, code, message", [
    ({"topic": "x/#", "payload": "m"}, "BAD_TOPIC", "wildcard"),
    ({"topic": "x", "payload": "%%%", "payload_encoding": "base64"}, "BAD_REQUEST",
     "Message at index 2: payload is not valid base64"),
    ({"topic": "x", "payload": "m" * (MIB + 1)}, "BAD_REQUEST", "Message at index 2: payload is 1048577 bytes"),
    ({"topic": "x", "payload": "m", "qos": 5}, "BAD_REQUEST", "qos"),
])
def test_one_bad_message_rejects_the_whole_bulk_before_anything_is_published(gate, mqtt_client, bad, code, message):
    spy = mqtt_client("spy")
    spy.subscribe("#", 1)
    good = {"topic": "x", "payload": "good", "retain": True, "qos": 1}
    response = gate.http.post("/publish/bulk", json=[good, good, bad, good])
    assert response.status_code == 400
    assert response.json()["code"] == code and message in response.json()["message"]
    only_marker_after(gate, spy, "marker")
    assert gate.http.get("/mqtt/retainer/messages").json()["data"] == []


@pytest.mark.parametrize("body", [[], [{"topic": "t", "payload": "x"}] * 1001, {"topic": "t", "payload": "x"}])
def test_bulk_takes_1_to_1000_messages(gate, body):
    response = gate.http.post("/publish/bulk", json=body)
    assert response.status_code == 400 and response.json()["code"] == "BAD_REQUEST"


def deny(gate, kind: str, who: str, topic: str, action: str = "publish") -> None:
    """An ACL rule of the built-in database, set over the API: `kind` is clients or users."""
    rule = {"topic": topic, "permission": "deny", "action": action}
    response = gate.http.put(f"{RULES}/{kind}/{who}", json={"rules": [rule]})
    assert response.status_code == 204, response.text


@pytest.mark.parametrize("kind", ["clients", "users"])
def test_the_acl_sees_the_api_key_as_client_id_and_as_username(gate, mqtt_client, kind):
    mqtt_client("paho").subscribe("#", 0)
    deny(gate, kind, gate.api_key, "secret/#")
    assert gate.http.post("/publish", json={"topic": "open/x", "payload": "x"}).status_code == 200
    denied = gate.http.post("/publish", json={"topic": "secret/x", "payload": "x"})
    assert denied.status_code == 403
    assert denied.json() == {"code": "NOT_AUTHORIZED",
                             "message": f"API key '{gate.api_key}' may not publish to topic 'secret/x'"}


def test_a_publish_the_acl_denies_is_403_and_nothing_is_published(gate, mqtt_client):
    spy = mqtt_client("spy")
    spy.subscribe("#", 0)
    deny(gate, "clients", gate.api_key, "secret/#")

    single = gate.http.post("/publish", json={"topic": "secret/plans", "payload": "x", "retain": True})
    bulk = gate.http.post("/publish/bulk", json=[{"topic": "open", "payload": "x", "retain": True},
                                                 {"topic": "secret/plans", "payload": "x"}])

    for response in (single, bulk):
        assert response.status_code == 403
        assert response.json()["code"] == "NOT_AUTHORIZED"
        assert "secret/plans" in response.json()["message"]
    only_marker_after(gate, spy, "marker")
    assert gate.http.get("/mqtt/retainer/messages").json()["data"] == []


def test_mqtt_and_api_publishes_pass_the_same_acl(gate, mqtt_client):
    spy = mqtt_client("spy")
    spy.subscribe("#", 0)
    deny(gate, "clients", "mqtt-pub", "secret/#")
    deny(gate, "clients", "spy", "hidden/#", action="subscribe")  # what it may not subscribe to, it does not receive
    publisher = mqtt_client("mqtt-pub")
    publisher.client.publish("secret/x", b"dropped", qos=1).wait_for_publish(5)
    publisher.client.publish("open/x", b"mqtt", qos=1).wait_for_publish(5)
    assert gate.http.post("/publish", json={"topic": "hidden/x", "payload": "api"}).status_code == 202
    assert gate.http.post("/publish", json={"topic": "open/y", "payload": "api"}).status_code == 200
    assert sorted((m.topic, m.payload) for m in received(spy, 2)) == [("open/x", b"mqtt"), ("open/y", b"api")]


def test_api_publishes_count_in_the_same_metrics_as_mqtt_publishes(gate, mqtt_client):
    def metrics() -> dict[str, int]:
        return gate.http.get("/metrics", params={"aggregate": "true"}).json()

    spy = mqtt_client("spy")
    spy.subscribe("m/#", 0)
    deny(gate, "clients", gate.api_key, "m/secret")
    before = metrics()
    assert gate.http.post("/publish", json={"topic": "m/api", "payload": "x"}).status_code == 200
    assert gate.http.post("/publish/bulk", json=[{"topic": "m/bulk", "payload": "x"},
                                                 {"topic": "nobody/listens", "payload": "x"}]).status_code == 202
    assert gate.http.post("/publish", json={"topic": "m/secret", "payload": "x"}).status_code == 403
    mqtt_client("pub").client.publish("m/mqtt", b"x", qos=0).wait_for_publish(5)
    assert len(received(spy, 3)) == 3
    after = metrics()
    counted = {name: after[name] - before[name] for name in (
        "messages.publish", "messages.dropped", "messages.dropped.no_subscribers", "messages.sent",
        "messages.received", "authorization.deny", "packets.publish.auth_error")}
    assert counted == {
        "messages.publish": 4,  # three over the API, one over MQTT
        "messages.dropped": 2, "messages.dropped.no_subscribers": 1,  # nobody/listens; m/secret denied
        "messages.sent": 3,
        "messages.received": 1,  # from MQTT clients only, as EMQX counts it
        "authorization.deny": 1, "packets.publish.auth_error": 0,  # an API publish is no PUBLISH packet
    }


def test_a_publisher_key_may_only_publish_and_a_viewer_key_only_read(tmp_path):
    keys = tmp_path / "keys"
    keys.write_text("admin:admin-secret-1\nrobot:robot-secret-1:publisher\nauditor:auditor-secret-1:viewer\n")
    live = start_gate(gate_config(tmp_path / "data", MQTTGATE_API_KEY__BOOTSTRAP_FILE=str(keys)),
                      credentials=("admin", "admin-secret-1"))
    try:
        base = f"{live.base_url}/api/v5"
        robot = httpx.Client(base_url=base, auth=("robot", "robot-secret-1"))
        auditor = httpx.Client(base_url=base, auth=("auditor", "auditor-secret-1"))
        published = robot.post("/publish", json={"topic": "r/1", "payload": "x", "retain": True})
        assert published.status_code == 202
        listed = auditor.get("/mqtt/retainer/messages").json()["data"]
        assert [(m["topic"], m["from_clientid"], m["from_username"]) for m in listed] == [("r/1", "robot", "robot")]
        for refused in (robot.get("/mqtt/retainer/messages"), robot.delete("/mqtt/retainer/messages"),
                        auditor.post("/publish", json={"topic": "r", "payload": "x"}),
                        auditor.delete("/mqtt/retainer/message/r%2F1")):
            assert refused.status_code == 403 and refused.json()["code"] == "UNAUTHORIZED_ROLE"
        assert auditor.get("/mqtt/retainer/message/r%2F1").status_code == 200
    finally:
        live.stop()
