"""Shared by the publish and retained tests: an outside subscriber, and proof that nothing else arrived."""

from __future__ import annotations

import subprocess

from tests.conftest import MqttClient, wait_for
from tests.live import LiveGate


def received(client: MqttClient, count: int = 1, timeout: float = 10.0) -> list:
    assert wait_for(lambda: len(client.messages) >= count, timeout), f"got {len(client.messages)} of {count}"
    return client.messages


def only_marker_after(gate: LiveGate, client: MqttClient, topic: str) -> None:
    """Publish a marker to `topic` and check it is all `client` got: routing and its connection
    keep order, so whatever was published before the marker would have arrived before it."""
    assert gate.http.post("/publish", json={"topic": topic, "payload": "marker"}).status_code == 200
    messages = received(client)
    assert [(m.topic, m.payload) for m in messages] == [(topic, b"marker")]


def mosquitto_sub(gate: LiveGate, clientid: str, topic: str, *, count: int, qos: int = 0) -> subprocess.Popen:
    """mosquitto_sub, subscribed once this returns; prints `topic qos retain payload` per message."""
    process = subprocess.Popen(
        ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(gate.mqtt_port), "-i", clientid, "-t", topic, "-q", str(qos),
         "-C", str(count), "-W", "20", "-F", "%t %q %r %p"],
        stdout=subprocess.PIPE, text=True,
    )
    assert wait_for(lambda: gate.http.get(f"/clients/{clientid}").json().get("subscriptions_cnt") == 1, 10)
    return process


def lines(process: subprocess.Popen) -> list[str]:
    return process.communicate(timeout=25)[0].splitlines()
