from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import paho.mqtt.client as mqtt
import pytest

from tests.live import LiveGate, gate_config, start_gate
from tests.processes import Process


@pytest.fixture
def started(tmp_path) -> Iterator[Callable[..., Process]]:
    """Start mqttgate (or gunicorn) as a user does, `started(SERVE, config=...)`; closed after the test."""
    made: list[Process] = []

    def start(args, **options) -> Process:
        made.append(Process(args, tmp_path, **options))
        return made[-1]

    yield start
    for process in made:
        process.close()


@pytest.fixture
def gate(request, tmp_path) -> Iterator[LiveGate]:
    """A real mqttgate on free loopback ports with its data_dir in tmp_path.

    Parametrize it indirectly with a dict of `MQTTGATE_` overrides for another configuration.
    """
    live = start_gate(gate_config(tmp_path / "data", **getattr(request, "param", {})))
    yield live
    live.stop()


def wait_for(condition: Callable[[], object], timeout: float = 5.0, interval: float = 0.02) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


class MqttClient:
    """A paho-mqtt client that records what it receives and whether it is connected."""

    def __init__(self, port: int, clientid: str, *, clean_session: bool = True) -> None:
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=clientid, clean_session=clean_session)
        self.messages: list[mqtt.MQTTMessage] = []
        self.connack: int | None = None
        self.disconnected = False
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda c, u, m: self.messages.append(m)
        self.client.on_disconnect = lambda *a: setattr(self, "disconnected", True)
        self.port = port

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connack = reason_code.value

    def connect(self, *, keepalive: int = 60, wait: bool = True) -> MqttClient:
        self.client.connect("127.0.0.1", self.port, keepalive=keepalive)
        self.client.loop_start()
        if wait:
            assert wait_for(lambda: self.connack is not None), "no CONNACK"
        return self

    def subscribe(self, topic: str, qos: int = 0) -> None:
        done = []
        self.client.on_subscribe = lambda *a: done.append(a)
        self.client.subscribe(topic, qos)
        assert wait_for(lambda: done), "no SUBACK"

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def mqtt_client(gate) -> Iterator[Callable[..., MqttClient]]:
    """Factory of connected paho clients on the gate's MQTT port; all closed at teardown."""
    made: list[MqttClient] = []

    def make(clientid: str, *, connect: bool = True, keepalive: int = 60, clean_session: bool = True,
             username: str | None = None, password: str | None = None,
             will: tuple[str, bytes] | None = None) -> MqttClient:
        client = MqttClient(gate.mqtt_port, clientid, clean_session=clean_session)
        if username is not None:
            client.client.username_pw_set(username, password)
        if will is not None:
            client.client.will_set(will[0], will[1], qos=1)
        made.append(client)
        return client.connect(keepalive=keepalive) if connect else client

    yield make
    for client in made:
        client.close()
