"""SIGHUP reloads the log level, the TLS certificates of MQTT and REST listeners and the API key bootstrap file,
while MQTT clients stay connected."""

from __future__ import annotations

import signal
import socket
import ssl

import httpx
import paho.mqtt.client as mqtt
from cryptography import x509

from tests.certs import TestCA
from tests.conftest import MqttClient, wait_for
from tests.processes import SERVE
from tests.test_rest_tls import listener_env


def served_serial(port: int, ca: TestCA) -> int:
    context = ssl.create_default_context(cafile=str(ca.certfile))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, \
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        return x509.load_der_x509_certificate(tls.getpeercert(binary_form=True)).serial_number


def replace_files(target, source) -> None:
    target.certfile.write_bytes(source.certfile.read_bytes())
    target.keyfile.write_bytes(source.keyfile.read_bytes())


def test_sighup_reloads_certificates_keys_and_level_and_keeps_connections(started, tmp_path):
    ca = TestCA(tmp_path)
    first, renewed = ca.issue("server"), ca.issue("renewed")
    bootstrap = tmp_path / "keys.txt"
    bootstrap.write_text("boot-1:first-secret-1\n")
    env = {"MQTTGATE_MQTT__LISTENERS__SECURE__TYPE": "tls",
           "MQTTGATE_MQTT__LISTENERS__SECURE__BIND": "127.0.0.1:0",
           "MQTTGATE_MQTT__LISTENERS__SECURE__CERTFILE": str(first.certfile),
           "MQTTGATE_MQTT__LISTENERS__SECURE__KEYFILE": str(first.keyfile),
           **listener_env(1, name="https", port=0, certfile=first.certfile, keyfile=first.keyfile)}
    process = started(SERVE, env=env, config=f"api_key: {{bootstrap_file: {bootstrap}}}\n").wait_ready(60)
    mqtts_port, https_port = process.port("secure"), process.port("https")
    assert served_serial(mqtts_port, ca) == first.serial
    assert served_serial(https_port, ca) == first.serial

    plain = MqttClient(process.mqtt_port, "plain-sub").connect()
    secure = MqttClient(mqtts_port, "tls-sub")
    secure.client.tls_set(ca_certs=str(ca.certfile))
    secure.connect()
    try:
        for client in (plain, secure):
            assert client.connack == 0
            client.subscribe("reload/#", 1)

        replace_files(first, renewed)
        bootstrap.write_text("boot-1:first-secret-1\nboot-2:second-secret-2:viewer\n")
        process.config_file.write_text(process.config_file.read_text() + "log_level: debug\n")
        process.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: "SIGHUP: reloaded" in process.output(), timeout=15), process.output()

        reloaded = next(line for line in process.output().splitlines() if "SIGHUP: reloaded" in line)
        for part in ("log_level info -> debug", "MQTT TLS certificates (secure)", "REST TLS certificates (https)",
                     "API key bootstrap file"):
            assert part in reloaded, reloaded
        assert served_serial(mqtts_port, ca) == renewed.serial
        assert served_serial(https_port, ca) == renewed.serial
        viewer = httpx.get(f"{process.url}/clients", auth=("boot-2", "second-secret-2"), timeout=5)
        assert viewer.status_code == 200
        assert {c["clientid"] for c in viewer.json()["data"]} == {"plain-sub", "tls-sub"}

        # the clients connected before the reload are still there, and still get messages
        publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="after-reload")
        publisher.connect("127.0.0.1", process.mqtt_port)
        publisher.loop_start()
        publisher.publish("reload/x", b"after", qos=1).wait_for_publish(5)
        publisher.disconnect()
        publisher.loop_stop()
        for client in (plain, secure):
            assert wait_for(lambda c=client: [m.payload for m in c.messages] == [b"after"]), client.messages
            assert not client.disconnected
        assert process.proc.poll() is None
    finally:
        plain.close()
        secure.close()


def test_sighup_with_a_broken_file_keeps_what_runs(started, tmp_path):
    process = started(SERVE).wait_ready(60)
    client = MqttClient(process.mqtt_port, "stays").connect()
    try:
        process.config_file.write_text(process.config_file.read_text() + "colour: red\n")
        process.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: "nothing reloaded" in process.output(), timeout=15)
        assert httpx.get(f"{process.url}/status", timeout=5).status_code == 200
        assert not client.disconnected
    finally:
        client.close()
