"""GET /monitor and /monitor_current: samples of the live broker, kept in data_dir, bounded."""

from __future__ import annotations

import itertools
import sqlite3
import time

import pytest

from tests.conftest import wait_for
from tests.live import gate_config, start_gate

FAST = {"MQTTGATE_MONITOR__INTERVAL": "0.2", "MQTTGATE_MONITOR__RETENTION": "2"}


@pytest.mark.parametrize("gate", [FAST], indirect=True)
def test_samples_follow_the_traffic_and_are_bounded(gate, mqtt_client):
    subscriber = mqtt_client("mon-sub")
    subscriber.subscribe("mon/#", 1)
    publisher = mqtt_client("mon-pub")
    for n in range(20):
        publisher.client.publish("mon/x", f"{n}", qos=1).wait_for_publish(5)
    publisher.client.publish("mon/kept", b"r", qos=1, retain=True).wait_for_publish(5)
    assert wait_for(lambda: len(subscriber.messages) == 21)

    def sampled() -> list[dict]:
        samples = gate.http.get("/monitor").json()
        return samples if sum(s["received"] for s in samples) >= 21 and samples[-1]["retained"] == 1 else []

    samples = wait_for(sampled, timeout=10)
    assert samples, gate.http.get("/monitor").json()
    assert sum(s["sent"] for s in samples) >= 21
    last = samples[-1]
    assert last["connections"] == last["live_connections"] == 2
    assert (last["subscriptions"], last["topics"]) == (1, 1)
    assert all(a["time_stamp"] < b["time_stamp"] for a, b in itertools.pairwise(samples))

    node = gate.http.get("/nodes").json()[0]["node"]
    assert gate.http.get(f"/monitor/nodes/{node}").status_code == 200
    assert gate.http.get("/monitor/nodes/elsewhere@nowhere").json()["code"] == "NOT_FOUND"
    assert gate.http.get("/monitor", params={"latest": 0}).status_code == 400

    # the newest second alone is fewer samples than all that are kept, once the oldest is older
    oldest = gate.http.get("/monitor").json()[0]["time_stamp"] / 1000
    time.sleep(max(0.5, oldest + 1.5 - time.time()))
    assert len(gate.http.get("/monitor", params={"latest": 1}).json()) < len(gate.http.get("/monitor").json())

    current = gate.http.get("/monitor_current").json()
    assert current["connections"] == 2 and current["retained_msg_count"] == 1 and current["nodes"] == 1
    assert gate.http.get(f"/monitor_current/nodes/{node}").json()["live_connections"] == 2
    assert gate.http.get("/monitor_current/nodes/other").status_code == 404

    # bounded: retention 2 s at 0.2 s a sample keeps about 10 rows, however long it runs
    time.sleep(2.5)
    db = sqlite3.connect(gate.config.data_path / "mqttgate.db")
    try:
        rows = db.execute("SELECT COUNT(*), MIN(at) FROM monitor_samples").fetchone()
    finally:
        db.close()
    assert rows[0] <= 12
    assert rows[1] >= (time.time() - 3) * 1000


@pytest.mark.parametrize("gate", [FAST], indirect=True)
def test_rates_of_the_last_interval(gate, mqtt_client):
    subscriber = mqtt_client("rate-sub")
    subscriber.subscribe("rate/#", 0)
    publisher = mqtt_client("rate-pub")

    def publishing_rate() -> float:
        for _ in range(10):
            publisher.client.publish("rate/x", b"x", qos=0)
        return gate.http.get("/monitor_current").json()["received_msg_rate"]

    assert wait_for(lambda: publishing_rate() > 0, timeout=10)


def test_history_survives_a_restart(tmp_path):
    config = gate_config(tmp_path / "data", **{**FAST, "MQTTGATE_MONITOR__RETENTION": "60"})
    first = start_gate(config)
    try:
        assert wait_for(lambda: len(first.http.get("/monitor").json()) >= 3, timeout=10)
        before = first.http.get("/monitor").json()
    finally:
        first.stop()
    second = start_gate(config)
    try:
        assert second.http.get("/monitor").json()[:len(before)] == before
    finally:
        second.stop()
