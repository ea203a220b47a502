"""Session behaviour amqtt 0.12.1 gets wrong and the adapter closes, each with real clients."""

from __future__ import annotations

import time

import pytest

from tests.conftest import MqttClient, wait_for
from tests.live import gate_config, start_gate
from tests.rawmqtt import RawClient


def test_a_client_silent_past_1_5x_keepalive_is_dropped_and_its_will_published(gate, mqtt_client):
    watcher = mqtt_client("will-watcher")
    watcher.subscribe("wills/#", 1)
    silent = RawClient(gate.mqtt_port)
    assert silent.connect("silent", keepalive=1, will=("wills/silent", b"lost")) == (False, 0)
    start = time.monotonic()
    assert silent.until_closed(5)[1], "amqtt kept a silent client"
    assert 1.0 <= time.monotonic() - start <= 4.0
    assert wait_for(lambda: watcher.messages)
    assert (watcher.messages[0].topic, watcher.messages[0].payload) == ("wills/silent", b"lost")
    assert wait_for(lambda: gate.http.get("/clients/silent").status_code == 404)


def test_a_client_that_pings_stays(gate):
    client = MqttClient(gate.mqtt_port, "pinger").connect(keepalive=1)
    try:
        time.sleep(3)
        assert not client.disconnected
        assert gate.http.get("/clients/pinger").json()["connected"] is True
    finally:
        client.close()


@pytest.fixture
def strict_gate(tmp_path):
    live = start_gate(gate_config(tmp_path / "data", MQTTGATE_MQTT__CONNECT_TIMEOUT="0.5",
                                  MQTTGATE_MQTT__ALLOW_ANONYMOUS="false"))
    yield live
    live.stop()


def test_a_connection_without_connect_is_closed_after_connect_timeout(strict_gate):
    idle = RawClient(strict_gate.mqtt_port)
    start = time.monotonic()
    assert idle.until_closed(5)[1]
    assert time.monotonic() - start < 3


def test_a_refused_connect_leaves_no_ghost_and_does_not_kick_the_owner(strict_gate):
    owner = MqttClient(strict_gate.mqtt_port, "owned-id")
    owner.client.username_pw_set("alice")
    owner.connect()
    try:
        assert owner.connack == 0
        intruder = RawClient(strict_gate.mqtt_port)
        assert intruder.connect("owned-id") == (False, 5)  # no username: not authorized
        assert intruder.until_closed(5)[1]
        assert RawClient(strict_gate.mqtt_port).connect("stranger") == (False, 5)
        time.sleep(0.3)
        listed = [c["clientid"] for c in strict_gate.http.get("/clients").json()["data"]]
        assert listed == ["owned-id"]
        assert not owner.disconnected
        assert strict_gate.http.get("/clients/owned-id").json()["username"] == "alice"
    finally:
        owner.close()


def test_take_over_closes_the_first_connection_without_its_will(gate, mqtt_client):
    watcher = mqtt_client("watcher")
    watcher.subscribe("wills/#", 1)
    first = RawClient(gate.mqtt_port)
    first.connect("twin", will=("wills/twin", b"first died"))
    second = RawClient(gate.mqtt_port)
    assert second.connect("twin") == (False, 0)
    assert first.until_closed(5)[1], "the first connection stayed open"
    time.sleep(0.3)
    assert watcher.messages == []
    assert gate.http.get("/clients/twin").json()["connected"] is True
    assert [c["clientid"] for c in gate.http.get("/clients").json()["data"]].count("twin") == 1
    second.close()


def test_take_over_of_a_persistent_session_keeps_its_subscriptions_and_queue(gate, mqtt_client):
    first = mqtt_client("durable", clean_session=False)
    first.subscribe("jobs/#", 1)
    first.client.loop_stop()  # still connected, but no longer reading: messages pile up in flight
    second = MqttClient(gate.mqtt_port, "durable", clean_session=False)
    second.connect()
    try:
        assert wait_for(lambda: second.connack == 0)
        mqtt_client("boss").client.publish("jobs/1", b"do it", qos=1).wait_for_publish(5)
        assert wait_for(lambda: second.messages), "the new connection did not get the session's subscription"
        assert second.messages[0].payload == b"do it"
        assert gate.http.get("/clients/durable/subscriptions").json()[0]["topic"] == "jobs/#"
    finally:
        second.close()


def test_offline_queue_is_bounded_and_drops_the_oldest(tmp_path):
    live = start_gate(gate_config(tmp_path / "data", MQTTGATE_MQTT__MAX_MQUEUE_LEN="3"))
    try:
        sleeper = MqttClient(live.mqtt_port, "bounded", clean_session=False).connect()
        sleeper.subscribe("q/#", 1)
        sleeper.close()
        assert wait_for(lambda: live.http.get("/clients/bounded").json()["connected"] is False)
        publisher = MqttClient(live.mqtt_port, "pub").connect()
        for n in range(5):
            publisher.client.publish("q/x", str(n).encode(), qos=1).wait_for_publish(5)
        publisher.close()
        assert wait_for(lambda: live.http.get("/clients/bounded").json()["mqueue_dropped"] == 2)
        assert live.http.get("/clients/bounded").json()["mqueue_len"] == 3
        back = MqttClient(live.mqtt_port, "bounded", clean_session=False).connect()
        assert wait_for(lambda: len(back.messages) == 3)
        assert [m.payload for m in back.messages] == [b"2", b"3", b"4"]
        back.close()
    finally:
        live.stop()
