"""/metrics, /stats and the clients' traffic fields against real MQTT traffic.

Every counter must move by exactly what the clients sent and got, and no other counter may move.
"""

from __future__ import annotations

import socket

import pytest

from mqttgate.broker.amqtt.gate import GateBroker
from mqttgate.broker.metrics import METRICS
from tests.conftest import MqttClient, wait_for
from tests.live import gate_config, start_gate


def metrics(gate) -> dict[str, int]:
    response = gate.http.get("/metrics", params={"aggregate": "true"})
    assert response.status_code == 200, response.text
    return response.json()


def stats(gate) -> dict[str, int]:
    response = gate.http.get("/stats", params={"aggregate": "true"})
    assert response.status_code == 200, response.text
    return response.json()


def moved(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before[name] for name in METRICS if after[name] != before[name]}


def connect_size(clientid: str) -> int:
    """A paho MQTT 3.1.1 CONNECT without credentials or will: header 2, variable header 10, client id."""
    return 2 + 10 + 2 + len(clientid)


def publish_size(topic: str, payload: bytes, qos: int) -> int:
    return 2 + 2 + len(topic) + (2 if qos else 0) + len(payload)


def client(gate, clientid: str) -> dict:
    return gate.http.get(f"/clients/{clientid}").json()


def test_every_counter_moves_by_exactly_what_was_sent(gate, mqtt_client):
    before = metrics(gate)
    subscriber = mqtt_client("sub-1")
    subscriber.subscribe("t/#", 1)
    publisher = mqtt_client("pub-1")
    sent = [("t/a", b"zero", 0), ("t/a", b"zero", 0), ("t/b", b"one", 1), ("t/c", b"two", 2), ("void/x", b"lost", 1)]
    for topic, payload, qos in sent:
        publisher.client.publish(topic, payload, qos=qos).wait_for_publish(5)
    assert wait_for(lambda: len(subscriber.messages) == 4)
    # the subscriber gets min(publish, subscription) QoS: 0, 0, 1, 1 -- and acknowledges the two QoS 1
    delivered = [publish_size(t, p, min(q, 1)) for t, p, q in sent[:4]]
    assert wait_for(lambda: client(gate, "sub-1")["recv_pkt"] == 4)

    pub_in = connect_size("pub-1") + sum(publish_size(*message) for message in sent) + 4  # PUBREL
    sub_in = connect_size("sub-1") + (2 + 2 + 2 + 3 + 1) + 2 * 4  # SUBSCRIBE t/# QoS 1, two PUBACKs
    assert {k: v for k, v in client(gate, "pub-1").items() if k.startswith(("recv_", "send_", "mqueue_dropped"))} == {
        "recv_pkt": 7, "recv_oct": pub_in, "recv_msg": 5,
        "send_pkt": 5, "send_oct": 5 * 4, "send_msg": 0,  # CONNACK, 2 PUBACK, PUBREC, PUBCOMP
        "mqueue_dropped": 0,
    }
    assert {k: v for k, v in client(gate, "sub-1").items() if k.startswith(("recv_", "send_", "mqueue_dropped"))} == {
        "recv_pkt": 4, "recv_oct": sub_in, "recv_msg": 0,
        "send_pkt": 6, "send_oct": 4 + 5 + sum(delivered), "send_msg": 4,  # CONNACK, SUBACK, 4 PUBLISH
        "mqueue_dropped": 0,
    }
    publisher.close()
    subscriber.close()
    assert wait_for(lambda: stats(gate)["connections.count"] == 0)

    assert moved(before, metrics(gate)) == {
        "bytes.received": pub_in + sub_in + 2 * 2, "bytes.sent": 5 * 4 + 4 + 5 + sum(delivered),
        "packets.received": 7 + 4 + 2, "packets.sent": 5 + 6,
        "packets.connect.received": 2, "packets.connack.sent": 2,
        "packets.publish.received": 5, "packets.publish.sent": 4,
        "packets.puback.received": 2, "packets.puback.sent": 2,
        "packets.pubrec.sent": 1, "packets.pubrel.received": 1, "packets.pubcomp.sent": 1,
        "packets.subscribe.received": 1, "packets.suback.sent": 1, "packets.disconnect.received": 2,
        "messages.received": 5, "messages.qos0.received": 2, "messages.qos1.received": 2, "messages.qos2.received": 1,
        "messages.sent": 4, "messages.qos0.sent": 2, "messages.qos1.sent": 2,
        "messages.publish": 5, "messages.dropped": 1, "messages.dropped.no_subscribers": 1,
        "client.connect": 2, "client.connack": 2, "client.connected": 2, "client.disconnected": 2,
        "client.authenticate": 2, "authentication.success": 2, "authentication.success.anonymous": 2,
        "authorization.allow": 1 + 5 + 4,  # the subscribe, the publishes, the deliveries
        "session.created": 2,
    }


def raw_connect(port: int, clientid: bytes, username: bytes | None = None) -> tuple[bytes, int]:
    """CONNECT over a bare socket; the CONNACK return code and the CONNECT's size."""
    flags, payload = 0x02, len(clientid).to_bytes(2, "big") + clientid
    if username is not None:
        flags |= 0x80
        payload += len(username).to_bytes(2, "big") + username
    body = b"\x00\x04MQTT\x04" + bytes([flags]) + b"\x00\x00" + payload
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(bytes([0x10, len(body)]) + body)
        connack = sock.recv(4)
        if connack[3] == 0:
            sock.sendall(b"\xe0\x00")  # DISCONNECT
    return connack, 2 + len(body)


def test_refused_and_accepted_connects_are_counted_apart(tmp_path):
    gate = start_gate(gate_config(tmp_path / "data", MQTTGATE_MQTT__ALLOW_ANONYMOUS="false"))
    try:
        before = metrics(gate)
        connack, size = raw_connect(gate.mqtt_port, b"nobody")
        assert connack == b"\x20\x02\x00\x05"  # not authorized
        after = metrics(gate)
        assert moved(before, after) == {
            "bytes.received": size, "bytes.sent": 4, "packets.received": 1, "packets.sent": 1,
            "packets.connect.received": 1, "packets.connack.sent": 1,
            "packets.connack.error": 1, "packets.connack.auth_error": 1,
            "client.connect": 1, "client.connack": 1,
            "client.authenticate": 1, "client.auth.failure": 1, "authentication.failure": 1,
        }
        connack, size = raw_connect(gate.mqtt_port, b"somebody", username=b"alice")
        assert connack == b"\x20\x02\x00\x00"
        assert wait_for(lambda: metrics(gate)["client.disconnected"] == 1)
        assert moved(after, metrics(gate)) == {
            "bytes.received": size + 2, "bytes.sent": 4, "packets.received": 2, "packets.sent": 1,
            "packets.connect.received": 1, "packets.connack.sent": 1, "packets.disconnect.received": 1,
            "client.connect": 1, "client.connack": 1, "client.connected": 1, "client.disconnected": 1,
            "client.authenticate": 1, "authentication.success": 1,  # with a username: not anonymous
            "session.created": 1,
        }
    finally:
        gate.stop()


@pytest.fixture
def small_queue(tmp_path):
    """A gate whose offline sessions queue one message at most, and a factory of its MQTT clients."""
    gate = start_gate(gate_config(tmp_path / "data", MQTTGATE_MQTT__MAX_MQUEUE_LEN="1"))
    made: list[MqttClient] = []

    def connect(clientid: str, *, clean_session: bool = True) -> MqttClient:
        made.append(MqttClient(gate.mqtt_port, clientid, clean_session=clean_session).connect())
        return made[-1]

    yield gate, connect
    for made_client in made:
        made_client.close()
    gate.stop()


def test_sessions_resumed_taken_over_discarded_and_offline_drops(small_queue):
    gate, connect = small_queue
    before = metrics(gate)
    first = connect("keeper", clean_session=False)
    first.subscribe("k/#", 1)
    first.close()
    assert wait_for(lambda: client(gate, "keeper")["connected"] is False)
    publisher = connect("pub")
    for payload, qos in ((b"not queued", 0), (b"pushed out", 1), (b"kept", 1)):
        publisher.client.publish("k/x", payload, qos=qos).wait_for_publish(5)
    assert wait_for(lambda: client(gate, "keeper")["mqueue_dropped"] == 1)  # the queue holds one: the oldest went
    assert client(gate, "keeper")["mqueue_len"] == 1

    again = connect("keeper", clean_session=False)  # resumes, and gets the queued message
    assert wait_for(lambda: [m.payload for m in again.messages] == [b"kept"])
    again.client.reconnect_delay_set(60, 60)  # paho must not come back on its own once taken over
    third = connect("keeper", clean_session=False)  # takes the connected session over
    assert wait_for(lambda: again.disconnected)
    third.client.reconnect_delay_set(60, 60)
    connect("keeper", clean_session=True)  # discards it

    assert wait_for(lambda: moved(before, metrics(gate)).get("client.connected") == 5)
    counted = moved(before, metrics(gate))
    assert {name: n for name, n in counted.items() if name.startswith(("session.", "delivery."))} == {
        "session.created": 3,  # keeper, pub, the clean keeper
        "session.resumed": 2, "session.takenover": 1, "session.discarded": 1,
        "delivery.dropped": 2,  # the QoS 0 message, not queued for an offline session, and the one pushed out
        "delivery.dropped.queue_full": 1,
    }
    assert counted["messages.sent"] == 1 and "messages.dropped" not in counted
    assert client(gate, "keeper")["mqueue_dropped"] == 0  # a new session


def test_stats_give_each_gauge_now_and_at_its_highest(gate, mqtt_client):
    assert stats(gate) == {f"{gauge}.{kind}": 0 for gauge in ("connections", "live_connections", "sessions",
                                                                "subscriptions", "topics", "retained")
                           for kind in ("count", "max")}
    a, b = mqtt_client("a"), mqtt_client("b")
    a.subscribe("s/1", 0)
    a.subscribe("s/2", 0)
    b.subscribe("s/1", 1)
    a.subscribe("s/1", 1)  # again: replaces the first, counts once
    sleeper = mqtt_client("sleeper", clean_session=False)
    sleeper.subscribe("z/#", 1)
    sleeper.close()
    for topic, payload in (("r/1", b"one"), ("r/2", b"two"), ("r/1", b"")):  # the empty one clears r/1
        a.client.publish(topic, payload, qos=1, retain=True).wait_for_publish(5)
    a.client.unsubscribe("s/2")
    assert wait_for(lambda: stats(gate)["topics.count"] == 2)

    assert stats(gate) == {
        "connections.count": 3, "connections.max": 3,  # a, b and the offline persistent session
        "live_connections.count": 2, "live_connections.max": 3,
        "sessions.count": 3, "sessions.max": 3,
        "subscriptions.count": 3, "subscriptions.max": 4,  # a: s/1 s/2, b: s/1, sleeper: z/#
        "topics.count": 2, "topics.max": 3,
        "retained.count": 1, "retained.max": 2,
    }
    a.close()
    b.close()
    assert gate.http.delete("/clients/sleeper").status_code == 204
    assert wait_for(lambda: stats(gate)["connections.count"] == 0)
    now, gauges = stats(gate), ("live_connections", "sessions", "subscriptions", "topics")
    assert [now[f"{gauge}.count"] for gauge in gauges] == [0, 0, 0, 0]
    assert [now[f"{gauge}.max"] for gauge in gauges] == [3, 3, 4, 3]


@pytest.fixture
def acl(monkeypatch):
    """A stand-in for ACL rules (issue 5 brings real ones): deny what `denied` lists, allow the rest."""
    denied: set[tuple[str, str, str]] = set()  # (client id, action, topic)
    allow = GateBroker._topic_filtering

    async def topic_filtering(self, session, topic, action):
        if (session.client_id if session else "", str(action), topic) in denied:
            return False
        return await allow(self, session, topic=topic, action=action)

    monkeypatch.setattr(GateBroker, "_topic_filtering", topic_filtering)
    return denied


def test_authorization_denials_are_counted_by_what_they_stop(acl, gate, mqtt_client):
    acl.update({("pub", "publish", "a/secret"), ("snoop", "subscribe", "a/#"), ("watcher", "receive", "a/hidden")})
    before = metrics(gate)
    watcher = mqtt_client("watcher")
    watcher.subscribe("a/+", 0)
    snoop = mqtt_client("snoop")
    snoop.subscribe("a/#", 0)  # denied: SUBACK 0x80
    publisher = mqtt_client("pub")
    for topic in ("a/secret", "a/hidden", "a/open"):
        publisher.client.publish(topic, b"x", qos=1).wait_for_publish(5)
    assert wait_for(lambda: [m.topic for m in watcher.messages] == ["a/open"])
    counted = moved(before, metrics(gate))
    assert {name: counted.get(name, 0) for name in (
        "authorization.allow", "authorization.deny", "packets.subscribe.error", "packets.publish.auth_error",
        "messages.received", "messages.publish", "messages.dropped", "delivery.dropped", "messages.sent",
    )} == {
        "authorization.allow": 1 + 2 + 1,  # watcher's subscribe; a/hidden and a/open published; a/open received
        "authorization.deny": 3, "packets.subscribe.error": 1, "packets.publish.auth_error": 1,
        "messages.received": 3, "messages.publish": 2, "messages.dropped": 1, "delivery.dropped": 1,
        "messages.sent": 1,
    }


def test_a_publish_to_an_invalid_topic_is_an_error_and_dropped(gate, mqtt_client):
    before = metrics(gate)
    with socket.create_connection(("127.0.0.1", gate.mqtt_port)) as sock:
        sock.sendall(bytes([0x10, 16]) + b"\x00\x04MQTT\x04\x02\x00\x00\x00\x04rude")
        assert sock.recv(4) == b"\x20\x02\x00\x00"
        sock.sendall(bytes([0x30, 9, 0, 6]) + b"$SYS/x" + b"!")  # QoS 0 to a topic clients may not publish to
        assert wait_for(lambda: metrics(gate)["packets.publish.error"] == before["packets.publish.error"] + 1)
    counted = moved(before, metrics(gate))
    assert {name: counted.get(name, 0) for name in (
        "packets.publish.received", "packets.publish.error", "messages.received", "messages.dropped",
        "messages.publish",
    )} == {"packets.publish.received": 1, "packets.publish.error": 1, "messages.received": 1,
           "messages.dropped": 1, "messages.publish": 0}
