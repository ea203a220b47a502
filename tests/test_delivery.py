"""MQTT delivery guarantees the adapter adds to amqtt, with real clients."""

from __future__ import annotations

import socket
import time

from tests.conftest import wait_for


def received(client, count: int = 1, timeout: float = 5.0):
    assert wait_for(lambda: len(client.messages) >= count, timeout), f"got {len(client.messages)} of {count}"
    return client.messages


def test_delivery_qos_is_the_lower_of_publish_and_subscription(gate, mqtt_client):
    sub2 = mqtt_client("sub-qos2")
    sub2.subscribe("q/#", 2)
    sub0 = mqtt_client("sub-qos0")
    sub0.subscribe("q/#", 0)
    publisher = mqtt_client("pub")
    publisher.client.publish("q/zero", b"0", qos=0)
    publisher.client.publish("q/one", b"1", qos=1)
    by_topic2 = {m.topic: m.qos for m in received(sub2, 2)}
    by_topic0 = {m.topic: m.qos for m in received(sub0, 2)}
    assert by_topic2 == {"q/zero": 0, "q/one": 1}  # a QoS 0 publish is never upgraded
    assert by_topic0 == {"q/zero": 0, "q/one": 0}


def test_subscribing_again_updates_the_qos(gate, mqtt_client):
    sub = mqtt_client("resub")
    sub.subscribe("r/1", 0)
    sub.subscribe("r/1", 1)
    mqtt_client("pub").client.publish("r/1", b"x", qos=1)
    assert [m.qos for m in received(sub)] == [1]
    assert gate.http.get("/clients/resub").json()["subscriptions_cnt"] == 1


def test_offline_persistent_session_gets_queued_qos1_and_qos2_on_reconnect(gate, mqtt_client):
    sleeper = mqtt_client("sleeper", clean_session=False)
    sleeper.subscribe("news/#", 2)
    sleeper.close()
    assert wait_for(lambda: gate.http.get("/clients/sleeper").json()["connected"] is False)
    publisher = mqtt_client("pub")
    for qos in (0, 1, 2):
        publisher.client.publish(f"news/{qos}", f"q{qos}".encode(), qos=qos).wait_for_publish(5)
    assert wait_for(lambda: gate.http.get("/clients/sleeper").json()["mqueue_len"] == 2)
    back = mqtt_client("sleeper", clean_session=False)
    messages = received(back, 2)
    time.sleep(0.3)
    assert sorted((m.topic, m.qos) for m in messages) == [("news/1", 1), ("news/2", 2)]


def test_qos1_acknowledged_then_disconnected_publisher_is_still_delivered(gate, mqtt_client):
    subscriber = mqtt_client("watcher")
    subscriber.subscribe("acked/#", 1)
    sent = []
    for n in range(5):
        with socket.create_connection(("127.0.0.1", gate.mqtt_port)) as raw:
            clientid = f"hit-and-run-{n}".encode()
            raw.sendall(bytes([0x10, 12 + len(clientid), 0, 4]) + b"MQTT" + bytes([4, 2, 0, 0, 0, len(clientid)])
                        + clientid)
            assert raw.recv(4)[3] == 0
            burst = b""
            for packet_id in range(1, 101):
                topic = f"acked/{n}/{packet_id}".encode()
                body = len(topic).to_bytes(2, "big") + topic + packet_id.to_bytes(2, "big") + b"payload"
                burst += bytes([0x32, len(body)]) + body
                sent.append(topic.decode())
            raw.sendall(burst)
            acks = b""
            while len(acks) < 400:  # every PUBACK, then gone at once
                acks += raw.recv(400 - len(acks))
    assert sorted(m.topic for m in received(subscriber, len(sent))) == sorted(sent)
