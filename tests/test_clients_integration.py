"""Clients over the API against the real broker, with real MQTT clients."""

from __future__ import annotations

import subprocess

from tests.conftest import wait_for


def clientids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [c["clientid"] for c in response.json()["data"]]


def test_list_sees_a_connected_client(gate, mqtt_client):
    mqtt_client("sensor-1", username="alice")
    body = gate.http.get("/clients").json()
    assert body["meta"] == {"page": 1, "limit": 100, "count": 1, "hasnext": False}
    (client,) = body["data"]
    assert client["clientid"] == "sensor-1"
    assert client["username"] == "alice"
    assert client["connected"] is True
    assert client["ip_address"] == "127.0.0.1"
    assert client["proto_name"] == "MQTT" and client["proto_ver"] == 4
    assert client["keepalive"] == 60 and client["clean_start"] is True
    assert "disconnected_at" not in client


def test_get_client_counts_its_subscriptions(gate, mqtt_client):
    client = mqtt_client("sensor-2")
    client.subscribe("a/b", 1)
    client.subscribe("c/#", 0)
    body = gate.http.get("/clients/sensor-2").json()
    assert body["subscriptions_cnt"] == 2
    assert body["connected_at"] >= body["created_at"]


def test_unknown_client_is_404(gate):
    for method in ("GET", "DELETE"):
        response = gate.http.request(method, "/clients/nobody")
        assert response.status_code == 404
        assert response.json() == {"code": "CLIENTID_NOT_FOUND", "message": "Client id not found"}


def test_filters_find_the_client(gate, mqtt_client):
    mqtt_client("kitchen-temp", username="alice")
    mqtt_client("garage-door", username="bob")
    mqtt_client("kitchen-light", username="carol")
    assert clientids(gate.http.get("/clients", params={"like_clientid": "kitchen"})) == [
        "kitchen-temp", "kitchen-light"]
    assert clientids(gate.http.get("/clients", params={"clientid": ["garage-door", "kitchen-light", "x"]})) == [
        "garage-door", "kitchen-light"]
    assert clientids(gate.http.get("/clients", params={"username": ["bob", "carol"]})) == [
        "garage-door", "kitchen-light"]
    assert clientids(gate.http.get("/clients", params={"like_username": "ali"})) == ["kitchen-temp"]
    assert clientids(gate.http.get("/clients", params={"ip_address": "127.0.0.1", "conn_state": "connected"})) == [
        "kitchen-temp", "garage-door", "kitchen-light"]
    assert clientids(gate.http.get("/clients", params={"ip_address": "10.0.0.9"})) == []
    assert clientids(gate.http.get("/clients", params={"conn_state": "disconnected"})) == []
    filtered = gate.http.get("/clients", params={"like_clientid": "kitchen"}).json()["meta"]
    assert "count" not in filtered  # would need a full scan


def test_pages_are_stable_and_say_hasnext(gate, mqtt_client):
    for n in range(5):
        mqtt_client(f"c{n}")
    pages = [gate.http.get("/clients", params={"page": p, "limit": 2}).json() for p in (1, 2, 3, 4)]
    assert [[c["clientid"] for c in p["data"]] for p in pages] == [["c0", "c1"], ["c2", "c3"], ["c4"], []]
    assert [p["meta"]["hasnext"] for p in pages] == [True, True, False, False]
    assert all(p["meta"]["count"] == 5 for p in pages)


def test_offline_persistent_session_is_listed_disconnected(gate, mqtt_client):
    client = mqtt_client("persistent-1", clean_session=False)
    client.subscribe("t/1", 1)
    client.close()
    assert wait_for(lambda: gate.http.get("/clients/persistent-1").json()["connected"] is False)
    body = gate.http.get("/clients/persistent-1").json()
    assert body["clean_start"] is False and body["subscriptions_cnt"] == 1
    assert body["disconnected_at"] >= body["connected_at"]
    assert clientids(gate.http.get("/clients", params={"conn_state": "disconnected"})) == ["persistent-1"]


def test_kick_closes_the_connection_publishes_the_will_and_discards_the_session(gate, mqtt_client):
    watcher = subprocess.Popen(
        ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(gate.mqtt_port), "-t", "wills/#", "-C", "1", "-v",
         "-W", "10", "-i", "outside-watcher"],
        stdout=subprocess.PIPE, text=True,
    )
    assert wait_for(lambda: "outside-watcher" in clientids(gate.http.get("/clients")))
    victim = mqtt_client("victim", will=("wills/victim", b"gone"), clean_session=False)
    victim.subscribe("x/y", 1)
    victim.client.reconnect_delay_set(60, 60)  # paho must not come back on its own

    response = gate.http.delete("/clients/victim")

    assert response.status_code == 204 and response.content == b""
    assert wait_for(lambda: victim.disconnected), "the TCP connection stayed open"
    assert watcher.communicate(timeout=10)[0].strip() == "wills/victim gone"
    assert gate.http.get("/clients/victim").status_code == 404
    assert "victim" not in clientids(gate.http.get("/clients"))


def test_kick_discards_an_offline_session(gate, mqtt_client):
    client = mqtt_client("sleeper", clean_session=False)
    client.subscribe("s/1", 1)
    client.close()
    assert wait_for(lambda: gate.http.get("/clients/sleeper").json()["connected"] is False)
    assert gate.http.delete("/clients/sleeper").status_code == 204
    assert gate.http.get("/clients/sleeper").status_code == 404
