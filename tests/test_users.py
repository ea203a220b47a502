"""MQTT users of the built-in database: CRUD over the API, and CONNECTs with real clients."""

from __future__ import annotations

import subprocess

import pytest

from tests.live import start_gate

USERS = "/authentication/password_based:built_in_database/users"
NOT_AUTHORIZED = 135  # paho reports MQTT 3.1.1's CONNACK 5 (not authorized) as reason code 135


def create_user(gate, user_id: str, password: str, **fields) -> None:
    response = gate.http.post(USERS, json={"user_id": user_id, "password": password, **fields})
    assert response.status_code == 201, response.text


def mosquitto_pub(gate, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(gate.mqtt_port), "-t", "t", "-m", "x", *args],
                          capture_output=True, text=True, timeout=30)


def test_user_crud_never_shows_a_password(gate):
    created = gate.http.post(USERS, json={"user_id": "alice", "password": "alice-pw-1"})
    assert created.status_code == 201 and created.json() == {"user_id": "alice", "is_superuser": False}
    create_user(gate, "bob", "bob-pw-1", is_superuser=True)
    listing = gate.http.get(USERS)
    assert listing.json() == {"data": [{"user_id": "alice", "is_superuser": False},
                                       {"user_id": "bob", "is_superuser": True}],
                              "meta": {"page": 1, "limit": 100, "count": 2, "hasnext": False}}
    assert [u["user_id"] for u in gate.http.get(USERS, params={"like_user_id": "li"}).json()["data"]] == ["alice"]
    assert [u["user_id"] for u in gate.http.get(USERS, params={"is_superuser": "true"}).json()["data"]] == ["bob"]
    assert gate.http.get(USERS, params={"limit": 1, "page": 2}).json()["data"] == [
        {"user_id": "bob", "is_superuser": True}]
    # EMQX clients percent-encode the colon of the authenticator id
    assert gate.http.get(f"{USERS.replace(':', '%3A')}/alice").json() == {"user_id": "alice", "is_superuser": False}

    changed = gate.http.put(f"{USERS}/alice", json={"password": "alice-pw-2", "is_superuser": True})
    assert changed.status_code == 200 and changed.json() == {"user_id": "alice", "is_superuser": True}
    assert gate.http.put(f"{USERS}/alice", json={"password": "alice-pw-3"}).json()["is_superuser"] is True
    for response in (created, listing, changed):
        assert "pw" not in response.text

    assert gate.http.delete(f"{USERS}/alice").status_code == 204
    for method in ("GET", "PUT", "DELETE"):
        missing = gate.http.request(method, f"{USERS}/alice", json={"password": "x"} if method == "PUT" else None)
        assert missing.status_code == 404 and missing.json() == {"code": "NOT_FOUND", "message": "User not found"}


@pytest.mark.parametrize("body, status, message", [
    ({"user_id": "alice", "password": "another"}, 409, "User 'alice' already exists"),
    ({"user_id": "carol"}, 400, "'password' is a required property"),
    ({"user_id": "", "password": "x"}, 400, "'' should be non-empty at user_id"),
    ({"user_id": "carol", "password": ""}, 400, "'' should be non-empty at password"),
    ({"user_id": "carol", "password": "x", "role": "admin"}, 400, "'role' was unexpected"),
    ({"user_id": "carol", "password": "x", "is_superuser": "yes"}, 400, "'yes' is not of type 'boolean'"),
])
def test_bad_or_duplicate_user_is_refused_and_changes_nothing(gate, mqtt_client, body, status, message):
    create_user(gate, "alice", "alice-pw")
    response = gate.http.post(USERS, json=body)
    assert response.status_code == status and message in response.json()["message"]
    assert [u["user_id"] for u in gate.http.get(USERS).json()["data"]] == ["alice"]
    assert mqtt_client("c", username="alice", password="alice-pw").connack == 0
    assert mqtt_client("c2", username="carol", password="x").connack == NOT_AUTHORIZED


def test_while_users_exist_only_a_user_with_its_password_connects(gate, mqtt_client):
    create_user(gate, "alice", "s3cret")
    assert mqtt_client("a1", username="alice", password="s3cret").connack == 0
    assert mqtt_client("a2", username="alice", password="wrong").connack == NOT_AUTHORIZED
    assert mqtt_client("a3", username="alice").connack == NOT_AUTHORIZED  # no password
    assert mqtt_client("m1", username="mallory", password="s3cret").connack == NOT_AUTHORIZED  # not a user
    assert mqtt_client("anon").connack == 0  # mqtt.allow_anonymous is true by default
    assert mosquitto_pub(gate, "-u", "alice", "-P", "s3cret").returncode == 0
    wrong = mosquitto_pub(gate, "-u", "alice", "-P", "guess")
    assert wrong.returncode != 0 and "not authorised" in wrong.stderr


@pytest.mark.parametrize("gate", [{"MQTTGATE_MQTT__ALLOW_ANONYMOUS": "false"}], indirect=True)
def test_with_anonymous_off_a_connect_needs_a_user_and_its_password(gate, mqtt_client):
    assert mqtt_client("anon-1").connack == NOT_AUTHORIZED
    assert mqtt_client("named", username="anyone").connack == 0  # no users yet: nothing to check against
    create_user(gate, "alice", "s3cret")
    assert mqtt_client("anon-2").connack == NOT_AUTHORIZED
    assert mqtt_client("a1", username="alice", password="wrong").connack == NOT_AUTHORIZED
    assert mqtt_client("m1", username="anyone").connack == NOT_AUTHORIZED
    assert mqtt_client("a2", username="alice", password="s3cret").connack == 0
    assert mosquitto_pub(gate).returncode != 0
    assert mosquitto_pub(gate, "-u", "alice", "-P", "wrong").returncode != 0
    assert mosquitto_pub(gate, "-u", "alice", "-P", "s3cret").returncode == 0


def test_a_refused_connect_leaves_the_connected_client_of_that_id_alone(gate, mqtt_client):
    create_user(gate, "alice", "s3cret")
    owner = mqtt_client("device-7", username="alice", password="s3cret", clean_session=False)
    owner.subscribe("cmd/#", 1)
    assert mqtt_client("device-7", username="alice", password="guess").connack == NOT_AUTHORIZED
    client = gate.http.get("/clients/device-7").json()
    assert client["connected"] is True and client["subscriptions_cnt"] == 1 and not owner.disconnected


def test_a_new_password_replaces_the_old_at_once(gate, mqtt_client):
    create_user(gate, "alice", "old-pw")
    assert mqtt_client("a1", username="alice", password="old-pw").connack == 0  # now cached
    assert gate.http.put(f"{USERS}/alice", json={"password": "new-pw"}).status_code == 200
    assert mqtt_client("a2", username="alice", password="old-pw").connack == NOT_AUTHORIZED
    assert mqtt_client("a3", username="alice", password="new-pw").connack == 0


def test_users_survive_a_restart(gate):
    create_user(gate, "alice", "s3cret", is_superuser=True)
    gate.stop()
    again = start_gate(gate.config)
    try:
        assert again.http.get(f"{USERS}/alice").json() == {"user_id": "alice", "is_superuser": True}
        assert mosquitto_pub(again, "-u", "alice", "-P", "s3cret").returncode == 0
        assert mosquitto_pub(again, "-u", "alice", "-P", "wrong").returncode != 0
    finally:
        again.stop()
