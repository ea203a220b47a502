"""Trace recordings with real MQTT clients: what is recorded, when, and the limits."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import MqttClient, wait_for
from tests.live import gate_config, start_gate


def log_lines(gate, name: str) -> list[str]:
    body = gate.http.get(f"/trace/{name}/log", params={"bytes": 1048576}).json()
    return body["items"].splitlines()


def events(lines: list[str]) -> list[tuple[str, str]]:
    """(event, clientid) of each log line."""
    out = []
    for line in lines:
        event = line.split("[", 1)[1].split("]", 1)[0]
        clientid = line.split("clientid=", 1)[1].split(" ", 1)[0]
        out.append((event, clientid))
    return out


def test_a_clientid_trace_records_that_clients_packet_events_only(gate, mqtt_client):
    created = gate.http.post("/trace", json={"name": "watch-c1", "type": "clientid", "clientid": "c1"})
    assert created.status_code == 200, created.text
    assert created.json()["status"] == "running" and created.json()["clientid"] == "c1"
    other = mqtt_client("c2")
    other.subscribe("t/#", 1)
    c1 = mqtt_client("c1")
    c1.subscribe("t/#", 1)
    c1.client.publish("t/1", b"hello", qos=1).wait_for_publish(5)
    assert wait_for(lambda: c1.messages and other.messages)
    c1.close()
    assert wait_for(lambda: any("[DISCONNECT]" in line for line in log_lines(gate, "watch-c1")))
    recorded = events(log_lines(gate, "watch-c1"))
    assert recorded == [("CONNECT", "c1"), ("SUBSCRIBE", "c1"), ("PUBLISH in", "c1"), ("PUBLISH out", "c1"),
                        ("DISCONNECT", "c1")]
    assert any("topic=t/1" in line and "payload='hello'" in line for line in log_lines(gate, "watch-c1"))


def test_a_topic_trace_records_matching_publishes_with_hex_payloads(gate, mqtt_client):
    gate.http.post("/trace", json={"name": "temps", "type": "topic", "topic": "temp/+", "payload_encode": "hex"})
    publisher = mqtt_client("pub")
    for topic in ("temp/a", "humidity/a", "temp/b/c"):
        publisher.client.publish(topic, b"\x01\x02", qos=1).wait_for_publish(5)
    assert wait_for(lambda: log_lines(gate, "temps"))
    time.sleep(0.3)
    lines = log_lines(gate, "temps")
    assert [line.split("topic=")[1].split(" ")[0] for line in lines] == ["temp/a"]
    assert "payload=0102" in lines[0]


def test_a_scheduled_trace_records_only_within_its_window(gate, mqtt_client):
    now = datetime.now(UTC)
    window = {"start_at": (now + timedelta(seconds=2)).isoformat(), "end_at": (now + timedelta(seconds=4)).isoformat()}
    body = gate.http.post("/trace", json={"name": "later", "type": "clientid", "clientid": "sched",
                                          "payload_encode": "hidden", **window}).json()
    assert body["status"] == "waiting"
    client = mqtt_client("sched")
    client.client.publish("s/before", b"x", qos=1).wait_for_publish(5)
    assert wait_for(lambda: gate.http.get("/trace").json()[0]["status"] == "running", timeout=5)
    client.client.publish("s/during", b"secret", qos=1).wait_for_publish(5)
    assert wait_for(lambda: gate.http.get("/trace").json()[0]["status"] == "stopped", timeout=5)
    client.client.publish("s/after", b"x", qos=1).wait_for_publish(5)
    time.sleep(0.3)
    lines = log_lines(gate, "later")
    assert [line.split("topic=")[1].split(" ")[0] for line in lines] == ["s/during"]
    assert "payload" not in lines[0] and "secret" not in lines[0]


def test_stop_download_and_paged_log(gate, mqtt_client):
    gate.http.post("/trace", json={"name": "short", "type": "clientid", "clientid": "d1"})
    client = mqtt_client("d1")
    for n in range(5):
        client.client.publish(f"d/{n}", b"p", qos=1).wait_for_publish(5)
    assert wait_for(lambda: len(log_lines(gate, "short")) == 6)
    stopped = gate.http.put("/trace/short/stop")
    assert stopped.status_code == 200 and stopped.json()["status"] == "stopped"
    client.client.publish("d/late", b"p", qos=1).wait_for_publish(5)
    time.sleep(0.3)
    full = "\n".join(log_lines(gate, "short")) + "\n"
    assert "d/late" not in full and stopped.json()["log_size"] == len(full.encode())
    first = gate.http.get("/trace/short/log", params={"position": 0, "bytes": 50}).json()
    rest = gate.http.get("/trace/short/log", params={"position": first["meta"]["position"], "bytes": 1048576}).json()
    assert first["meta"] == {"position": 50, "bytes": 50}
    assert first["items"] + rest["items"] == full
    download = gate.http.get("/trace/short/download")
    assert download.headers["content-type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(download.content)).read("short.log").decode() == full
    assert gate.http.delete("/trace/short").status_code == 204
    for method, path in (("GET", "/trace/short/log"), ("GET", "/trace/short/download"), ("PUT", "/trace/short/stop"),
                         ("DELETE", "/trace/short")):
        missing = gate.http.request(method, path)
        assert missing.status_code == 404 and missing.json()["code"] == "NOT_FOUND", path


def test_bad_trace_definitions_are_400_and_nothing_is_created(gate):
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    for body in ({"name": "a", "type": "clientid"},                      # no clientid
                 {"name": "a", "type": "ip_address", "clientid": "x"},  # no ip_address
                 {"name": "a", "type": "topic", "topic": "a/#/b"},       # bad filter
                 {"name": "a b", "type": "clientid", "clientid": "x"},   # bad name
                 {"name": "a", "type": "clientid", "clientid": "x", "end_at": past},
                 {"name": "a", "type": "clientid", "clientid": "x", "start_at": "2027-01-01T00:00:00Z",
                  "end_at": "2026-12-01T00:00:00Z"},
                 {"name": "a", "type": "queue", "clientid": "x"}):
        response = gate.http.post("/trace", json=body)
        assert response.status_code == 400, body
        assert response.json()["code"] in ("BAD_REQUEST", "BAD_TOPIC")
    assert gate.http.get("/trace").json() == []


@pytest.fixture
def small_gate(tmp_path):
    live = start_gate(gate_config(tmp_path / "data", MQTTGATE_TRACE__MAX_TRACES="2",
                                  MQTTGATE_TRACE__MAX_LOG_SIZE="2048"))
    yield live
    live.stop()


def test_limits_on_traces_and_log_size(small_gate):
    gate = small_gate
    for name in ("one", "two"):
        assert gate.http.post("/trace", json={"name": name, "type": "topic", "topic": "#"}).status_code == 200
    third = gate.http.post("/trace", json={"name": "three", "type": "topic", "topic": "#"})
    assert third.status_code == 409 and third.json()["code"] == "EXCEED_LIMIT"
    again = gate.http.post("/trace", json={"name": "one", "type": "topic", "topic": "#"})
    assert again.status_code == 409 and again.json()["code"] == "ALREADY_EXISTS"
    client = MqttClient(gate.mqtt_port, "chatty").connect()
    try:
        for n in range(100):
            client.client.publish(f"x/{n}", b"y" * 50, qos=1).wait_for_publish(5)
    finally:
        client.close()
    sizes = [t["log_size"] for t in gate.http.get("/trace").json()]
    assert all(1500 < size <= 2048 for size in sizes), sizes


def test_the_cleanup_of_a_clean_session_is_not_traced_as_an_unsubscribe(gate, mqtt_client):
    gate.http.post("/trace", json={"name": "watch-c3", "type": "clientid", "clientid": "c3"})
    c3 = mqtt_client("c3")
    c3.subscribe("a/#", 1)
    c3.subscribe("b/#", 1)
    done = []
    c3.client.on_unsubscribe = lambda *a: done.append(a)
    c3.client.unsubscribe("b/#")
    assert wait_for(lambda: done)
    c3.close()
    assert wait_for(lambda: any("[DISCONNECT]" in line for line in log_lines(gate, "watch-c3")))
    # the session's subscriptions are dropped about 0.8 s after the DISCONNECT: wait until they are
    assert wait_for(lambda: gate.http.get("/subscriptions", params={"clientid": "c3"}).json()["data"] == [])
    assert wait_for(lambda: "c3" not in [c["clientid"] for c in gate.http.get("/clients").json()["data"]], 10)
    time.sleep(0.5)
    assert events(log_lines(gate, "watch-c3")) == [("CONNECT", "c3"), ("SUBSCRIBE", "c3"), ("SUBSCRIBE", "c3"),
                                                   ("UNSUBSCRIBE", "c3"), ("DISCONNECT", "c3")]
    assert "topic=b/#" in log_lines(gate, "watch-c3")[3]
