"""GET/DELETE /alarms: raised and cleared by provoking each condition on a live broker."""

from __future__ import annotations

import shutil
import sqlite3

import paho.mqtt.client as mqtt
import psutil
import pytest

from tests.conftest import MqttClient, wait_for

FAST = {"MQTTGATE_MONITOR__INTERVAL": "0.2"}


def alarm_names(gate, activated: bool | None = None) -> set[str]:
    params = {} if activated is None else {"activated": str(activated).lower()}
    return {a["name"] for a in gate.http.get("/alarms", params=params).json()["data"]}


def active(gate, name: str) -> bool:
    return name in alarm_names(gate, True)


def cleared(gate, name: str) -> bool:
    return name not in alarm_names(gate, True) and name in alarm_names(gate, False)


@pytest.mark.parametrize("gate", [{**FAST, "MQTTGATE_MQTT__LISTENERS__DEFAULT__MAX_CONNECTIONS": "2"}],
                         indirect=True)
def test_a_listener_near_its_max_connections(gate, mqtt_client):
    name = "listener_connections_high/default"
    first = mqtt_client("near-1")
    assert not wait_for(lambda: active(gate, name), timeout=1)
    mqtt_client("near-2")
    assert wait_for(lambda: active(gate, name), timeout=10)
    alarm = next(a for a in gate.http.get("/alarms").json()["data"] if a["name"] == name)
    assert alarm["activated"] is True and alarm["deactivate_at"] == "infinity"
    assert alarm["details"] == {"listener": "default", "current_connections": 2, "max_connections": 2}
    first.close()
    assert wait_for(lambda: cleared(gate, name), timeout=10)
    gone = next(a for a in gate.http.get("/alarms", params={"activated": "false"}).json()["data"]
                if a["name"] == name)
    assert gone["activated"] is False and gone["deactivate_at"] != "infinity"

    assert gate.http.delete("/alarms").status_code == 204
    assert gate.http.get("/alarms", params={"activated": "false"}).json()["data"] == []
    assert gate.http.get("/alarms", params={"activated": "maybe"}).status_code == 400


@pytest.mark.parametrize("gate", [{**FAST, "MQTTGATE_MQTT__MAX_MQUEUE_LEN": "1"}], indirect=True)
def test_offline_queues_dropping(gate, mqtt_client):
    name = "offline_queue_dropping"
    sleeper = mqtt_client("sleeper", clean_session=False)
    sleeper.subscribe("queue/#", 1)
    sleeper.close()
    # offline before the messages come, or they go to the closing connection and none is dropped
    assert wait_for(lambda: gate.http.get("/clients/sleeper").json()["connected"] is False)
    publisher = mqtt_client("queue-pub")
    for n in range(3):
        publisher.client.publish("queue/x", f"{n}", qos=1).wait_for_publish(5)
    # raised at the next sample, cleared at the one after it (no more drops): it may be either by now
    assert wait_for(lambda: name in alarm_names(gate), timeout=10)
    assert wait_for(lambda: cleared(gate, name), timeout=10)
    alarm = next(a for a in gate.http.get("/alarms").json()["data"] if a["name"] == name)
    assert alarm["details"] == {"dropped": 2}


@pytest.mark.parametrize("gate", [FAST], indirect=True)
def test_process_memory_high_and_back(gate):
    total = psutil.virtual_memory().total
    process = psutil.Process()
    grow = 300 << 20
    # the watermark halfway between the memory in use now and that after growing by 300 MiB
    watermark = (process.memory_info().rss + grow // 2) / total
    gate.app.runtime.ops.thresholds = type(gate.app.runtime.ops.thresholds)(
        system_memory=1.0, process_memory=watermark, listener_connections=0.9)
    name = "high_process_memory_usage"
    assert not wait_for(lambda: active(gate, name), timeout=1)
    ballast = b"\x01" * grow
    assert wait_for(lambda: active(gate, name), timeout=10)
    del ballast
    assert wait_for(lambda: cleared(gate, name), timeout=10)


@pytest.mark.parametrize("gate", [{**FAST, "MQTTGATE_ALARM__SYSTEM_MEMORY_HIGH_WATERMARK": "0.0001"}],
                         indirect=True)
def test_system_memory_over_its_watermark(gate):
    assert wait_for(lambda: active(gate, "high_system_memory_usage"), timeout=10)
    alarm = next(a for a in gate.http.get("/alarms").json()["data"] if a["name"] == "high_system_memory_usage")
    assert alarm["details"]["high_watermark"] == 0.0001


def test_a_backup_that_cannot_be_written(gate):
    backups = gate.config.data_path / "backups"
    shutil.rmtree(backups, ignore_errors=True)
    backups.write_text("not a folder")
    assert gate.http.post("/data/export").status_code == 500
    assert active(gate, "backup_failed")
    backups.unlink()
    assert gate.http.post("/data/export").status_code == 200
    assert cleared(gate, "backup_failed")


def test_a_trace_that_cannot_write_its_log_and_mqtt_goes_on(gate, mqtt_client):
    trace_dir = gate.config.data_path / "trace"
    assert gate.http.post("/trace", json={"name": "t1", "type": "topic", "topic": "traced/#"}).status_code == 200
    shutil.rmtree(trace_dir)
    trace_dir.write_text("not a folder")
    subscriber = mqtt_client("traced-sub")
    subscriber.subscribe("traced/#", 1)
    publisher = mqtt_client("traced-pub")
    publisher.client.publish("traced/a", b"1", qos=1).wait_for_publish(5)
    assert wait_for(lambda: [m.payload for m in subscriber.messages] == [b"1"])
    assert active(gate, "trace_failed/t1")
    assert not publisher.disconnected and not subscriber.disconnected
    trace_dir.unlink()
    trace_dir.mkdir()
    publisher.client.publish("traced/b", b"2", qos=1).wait_for_publish(5)
    assert wait_for(lambda: cleared(gate, "trace_failed/t1"))
    assert "traced/b" in gate.http.get("/trace/t1/log").json()["items"]  # recording again


@pytest.mark.timeout(120)
@pytest.mark.parametrize("gate", [FAST], indirect=True)
def test_the_store_failing_and_back(gate):
    name = "store_failed"
    locker = sqlite3.connect(gate.config.data_path / "mqttgate.db", isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")  # another process holding the database: writes time out
        assert wait_for(lambda: active(gate, name), timeout=30)
        # MQTT goes on meanwhile
        client = MqttClient(gate.mqtt_port, "while-locked").connect()
        assert client.connack == mqtt.CONNACK_ACCEPTED
        client.close()
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert wait_for(lambda: cleared(gate, name), timeout=30)
