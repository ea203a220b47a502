"""A backup restored on a running server brings back API keys, bans, users and ACL rules at once."""

from __future__ import annotations

import httpx

from tests.conftest import wait_for

USERS = "/authentication/password_based:built_in_database/users"
RULES = "/authorization/sources/built_in_database/rules"
NOT_AUTHORIZED = 135  # paho reports MQTT 3.1.1's CONNACK 5 (not authorized) as reason code 135


def test_restore_applies_the_access_state_of_the_backup_without_a_restart(gate, mqtt_client):
    key = gate.http.post("/api_key", json={"name": "ops", "role": "viewer"}).json()
    assert gate.http.post(USERS, json={"user_id": "alice", "password": "old-pw"}).status_code == 201
    assert gate.http.post("/banned", json={"as": "clientid", "who": "troll"}).status_code == 200
    assert gate.http.post(f"{RULES}/all", json={"rules": [{"topic": "secret/#", "permission": "deny",
                                                           "action": "subscribe"}]}).status_code == 204
    backup = gate.http.post("/data/export").json()["filename"]

    # after the backup: another password, the ban lifted, the rules and the key gone
    assert gate.http.put(f"{USERS}/alice", json={"password": "new-pw"}).status_code == 200
    assert gate.http.delete("/banned/clientid/troll").status_code == 204
    assert gate.http.delete(f"{RULES}/all").status_code == 204
    assert gate.http.delete("/api_key/ops").status_code == 204
    viewer = httpx.Client(base_url=gate.base_url + "/api/v5", auth=(key["api_key"], key["api_secret"]))
    assert viewer.get("/clients").status_code == 401

    assert gate.http.post("/data/import", json={"filename": backup}).status_code == 204

    assert viewer.get("/clients").status_code == 200
    assert mqtt_client("a1", username="alice", password="old-pw").connack == 0
    assert mqtt_client("a2", username="alice", password="new-pw").connack == NOT_AUTHORIZED
    assert mqtt_client("troll").connack == NOT_AUTHORIZED
    reader = mqtt_client("reader")
    granted = []
    reader.client.on_subscribe = lambda c, u, mid, codes, props: granted.extend(r.value for r in codes)
    reader.client.subscribe([("secret/x", 0), ("public/x", 0)])
    assert wait_for(lambda: granted) and granted == [0x80, 0]
