"""ACL rules over the API, enforced on real MQTT clients (paho, mosquitto_pub/mosquitto_sub)."""

from __future__ import annotations

import subprocess
import time

import httpx
import pytest

from tests.conftest import wait_for
from tests.live import start_gate

RULES = "/authorization/sources/built_in_database/rules"
USERS = "/authentication/password_based:built_in_database/users"
DENIED = 0x80


def rule(topic: str, permission: str = "deny", action: str = "all") -> dict:
    return {"topic": topic, "permission": permission, "action": action}


def put_rules(gate, kind: str, who: str, *rules: dict) -> None:
    path = f"{RULES}/all" if kind == "all" else f"{RULES}/{kind}/{who}"
    response = gate.http.post(path, json={"rules": list(rules)}) if kind == "all" else gate.http.put(
        path, json={"rules": list(rules)})
    assert response.status_code == 204, response.text


def suback(client, *filters: tuple[str, int]) -> list[int]:
    codes = []
    client.client.on_subscribe = lambda c, u, mid, reason_codes, props: codes.extend(r.value for r in reason_codes)
    client.client.subscribe(list(filters))
    assert wait_for(lambda: codes), "no SUBACK"
    return codes


def topics(client) -> list[str]:
    return [m.topic for m in client.messages]


def test_rules_crud_over_the_api(gate):
    clients = [{"clientid": "c1", "rules": [rule("a/#"), rule("b", "allow", "publish")]},
               {"clientid": "c2", "rules": []}]
    assert gate.http.post(f"{RULES}/clients", json=clients).status_code == 204
    assert gate.http.get(f"{RULES}/clients").json() == {
        "data": clients, "meta": {"page": 1, "limit": 100, "count": 2, "hasnext": False}}
    assert gate.http.get(f"{RULES}/clients/c1").json() == clients[0]
    assert gate.http.get(f"{RULES}/clients", params={"like_clientid": "2"}).json()["data"] == [clients[1]]

    again = gate.http.post(f"{RULES}/clients", json=[{"clientid": "c3", "rules": []}, clients[0]])
    assert again.status_code == 409 and again.json()["code"] == "ALREADY_EXISTS" and "'c1'" in again.json()["message"]
    assert gate.http.get(f"{RULES}/clients/c3").status_code == 404  # all or nothing

    assert gate.http.put(f"{RULES}/clients/c1", json={"clientid": "c1", "rules": [rule("z")]}).status_code == 204
    assert gate.http.get(f"{RULES}/clients/c1").json()["rules"] == [rule("z")]
    assert gate.http.put(f"{RULES}/clients/new/one", json={"rules": []}).status_code == 204  # a / in the id
    assert gate.http.get(f"{RULES}/clients/new/one").json() == {"clientid": "new/one", "rules": []}
    assert gate.http.delete(f"{RULES}/clients/c1").status_code == 204
    missing = gate.http.delete(f"{RULES}/clients/c1")
    assert missing.status_code == 404
    assert missing.json() == {"code": "NOT_FOUND", "message": "No rules for clientid 'c1'"}

    users = [{"username": "alice", "rules": [rule("eq #", "deny", "subscribe")]}]
    assert gate.http.post(f"{RULES}/users", json=users).status_code == 204
    assert gate.http.get(f"{RULES}/users/alice").json() == users[0]
    assert gate.http.get(f"{RULES}/users").json()["data"] == users
    assert gate.http.delete(f"{RULES}/users/alice").status_code == 204
    assert gate.http.get(f"{RULES}/users/alice").status_code == 404

    assert gate.http.get(f"{RULES}/all").json() == {"rules": []}
    put_rules(gate, "all", "", rule("${clientid}/#", "allow"), rule("#"))
    assert gate.http.get(f"{RULES}/all").json() == {"rules": [rule("${clientid}/#", "allow"), rule("#")]}
    assert gate.http.delete(f"{RULES}/all").status_code == 204
    assert gate.http.get(f"{RULES}/all").json() == {"rules": []}


@pytest.mark.parametrize("path, method, body, code, message", [
    ("all", "POST", {"rules": [rule("a/#/b")]}, "BAD_TOPIC", "Invalid topic 'a/#/b' at rules.0.topic: '+' and '#'"),
    ("all", "POST", {"rules": [rule("a+")]}, "BAD_TOPIC", "Invalid topic 'a+' at rules.0.topic"),
    ("all", "POST", {"rules": [rule("")]}, "BAD_TOPIC", "should be non-empty"),
    ("clients", "POST", [{"clientid": "c", "rules": [rule("#/a")]}], "BAD_TOPIC", "at 0.rules.0.topic"),
    ("all", "POST", {"rules": [{"topic": "a", "permission": "maybe", "action": "all"}]}, "BAD_REQUEST",
     "'maybe' is not one of ['allow', 'deny'] at rules.0.permission"),
    ("all", "POST", {"rules": [{"topic": "a", "permission": "deny", "action": "read"}]}, "BAD_REQUEST",
     "'read' is not one of"),
    ("all", "POST", {"rules": [{**rule("a"), "qos": [1]}]}, "BAD_REQUEST", "'qos' was unexpected"),
    ("all", "POST", {"rules": [rule("a")] * 101}, "BAD_REQUEST", "is too long at rules"),
    ("clients", "POST", [], "BAD_REQUEST", "should be non-empty"),
])
def test_bad_rules_are_400_and_change_nothing(gate, path, method, body, code, message):
    before = [gate.http.get(f"{RULES}/{p}").json() for p in ("all", "clients", "users")]
    response = gate.http.request(method, f"{RULES}/{path}", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == code and message in response.json()["message"]
    assert [gate.http.get(f"{RULES}/{p}").json() for p in ("all", "clients", "users")] == before


@pytest.mark.parametrize("kind, field", [("clients", "clientid"), ("users", "username")])
def test_a_rules_put_acts_on_the_path_whatever_id_the_body_names(gate, kind, field):
    response = gate.http.put(f"{RULES}/{kind}/path-id", json={field: "body-id", "rules": [rule("a/#")]})
    assert response.status_code == 204
    assert gate.http.get(f"{RULES}/{kind}/path-id").json() == {field: "path-id", "rules": [rule("a/#")]}
    assert gate.http.get(f"{RULES}/{kind}/body-id").status_code == 404


def test_a_denied_subscribe_gets_0x80_in_suback_and_nothing_on_that_filter(gate, mqtt_client):
    put_rules(gate, "clients", "reader", rule("secret/#", "deny", "subscribe"))
    reader = mqtt_client("reader")
    assert suback(reader, ("secret/#", 1), ("public/#", 1), ("secret/deep/+", 0)) == [DENIED, 1, DENIED]
    assert gate.http.get("/clients/reader").json()["subscriptions_cnt"] == 1
    publisher = mqtt_client("publisher")
    publisher.client.publish("secret/deep/x", b"s", qos=1)
    publisher.client.publish("public/x", b"p", qos=1)
    assert wait_for(lambda: "public/x" in topics(reader))
    time.sleep(0.3)
    assert topics(reader) == ["public/x"]


def test_a_denied_publish_is_dropped(gate, mqtt_client):
    put_rules(gate, "clients", "sensor", rule("secret/#", "deny", "publish"))
    watcher = subprocess.Popen(
        ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(gate.mqtt_port), "-t", "#", "-v", "-i", "watcher", "-W", "20"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: gate.http.get("/clients/watcher").json().get("subscriptions_cnt") == 1, timeout=10)
        sensor = mqtt_client("sensor")
        for topic in ("secret/a", "open/a", "secret/b/c"):
            sensor.client.publish(topic, b"payload", qos=1).wait_for_publish(5)  # acknowledged, yet dropped
        subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(gate.mqtt_port), "-i", "sensor-2",
                        "-t", "open/end", "-m", "end", "-q", "1"], check=True, timeout=30)
        time.sleep(0.3)
    finally:
        watcher.terminate()
    lines = watcher.communicate(timeout=10)[0].splitlines()
    assert lines == ["open/a payload", "open/end end"]


def test_messages_a_rule_denies_are_not_delivered_to_a_wider_subscription(gate, mqtt_client):
    put_rules(gate, "clients", "reader", rule("secret/#", "deny", "subscribe"))
    reader = mqtt_client("reader")
    assert suback(reader, ("#", 1)) == [1]  # allowed: no rule covers all of #
    publisher = mqtt_client("publisher")
    for topic in ("secret/x", "public/x", "secret", "public/y"):
        publisher.client.publish(topic, b"m", qos=1)
    assert wait_for(lambda: "public/y" in topics(reader))
    time.sleep(0.3)
    assert sorted(topics(reader)) == ["public/x", "public/y"]


def test_retained_messages_are_checked_before_a_new_subscription_gets_them(gate, mqtt_client):
    put_rules(gate, "clients", "reader", rule("secret/#", "deny", "subscribe"))
    publisher = mqtt_client("publisher")
    for topic in ("secret/plans", "public/news"):
        publisher.client.publish(topic, b"retained", qos=1, retain=True).wait_for_publish(5)
    other = mqtt_client("other")  # no rules: gets both
    assert suback(other, ("#", 1)) == [1]
    assert wait_for(lambda: sorted(topics(other)) == ["public/news", "secret/plans"])
    reader = mqtt_client("reader")
    assert suback(reader, ("#", 1)) == [1]
    assert wait_for(lambda: "public/news" in topics(reader))
    time.sleep(0.3)
    assert topics(reader) == ["public/news"]


def test_client_rules_then_username_rules_then_rules_for_all(gate, mqtt_client):
    assert gate.http.post(USERS, json={"user_id": "alice", "password": "pw"}).status_code == 201
    put_rules(gate, "all", "", rule("x/#", "deny", "publish"))
    put_rules(gate, "users", "alice", rule("x/a", "allow", "publish"))
    put_rules(gate, "clients", "c1", rule("x/a", "deny", "publish"))
    watcher = mqtt_client("watcher")
    assert suback(watcher, ("x/#", 1)) == [1]
    mqtt_client("c1", username="alice", password="pw").client.publish("x/a", b"from c1", qos=1)
    c2 = mqtt_client("c2", username="alice", password="pw")
    c2.client.publish("x/b", b"from c2", qos=1)
    c2.client.publish("x/a", b"from c2", qos=1)
    assert wait_for(lambda: watcher.messages)
    time.sleep(0.3)
    assert [(m.topic, m.payload) for m in watcher.messages] == [("x/a", b"from c2")]


@pytest.mark.parametrize("gate", [{"MQTTGATE_MQTT__ACL_NO_MATCH": "deny"}], indirect=True)
def test_with_no_match_deny_only_what_a_rule_allows_and_superusers_skip_rules(gate, mqtt_client):
    assert gate.http.post(USERS, json={"user_id": "root", "password": "pw", "is_superuser": True}).status_code == 201
    assert gate.http.post(USERS, json={"user_id": "dev", "password": "pw"}).status_code == 201
    put_rules(gate, "all", "", rule("devices/${clientid}/#", "allow"), rule("#"))
    root = mqtt_client("root-console", username="root", password="pw")
    assert suback(root, ("#", 1), ("$SYS/#", 0)) == [1, 0]
    dev = mqtt_client("d1", username="dev", password="pw")
    assert suback(dev, ("devices/d1/#", 1), ("devices/d2/#", 1), ("#", 1)) == [1, DENIED, DENIED]
    anonymous = mqtt_client("anon")
    assert suback(anonymous, ("devices/d1/#", 1)) == [DENIED]
    dev.client.publish("devices/d2/x", b"not mine", qos=1)
    dev.client.publish("devices/d1/x", b"mine", qos=1)
    root.client.publish("devices/d1/cmd", b"from root", qos=1)
    assert wait_for(lambda: len(root.messages) >= 2 and dev.messages)
    time.sleep(0.3)
    assert sorted(topics(root)) == ["devices/d1/cmd", "devices/d1/x"]
    assert sorted(topics(dev)) == ["devices/d1/cmd", "devices/d1/x"]


def test_subscribe_on_behalf_obeys_the_rules_retained_messages_included(gate, mqtt_client):
    put_rules(gate, "clients", "reader", rule("secret/#", "deny", "subscribe"))
    publisher = mqtt_client("publisher")
    for topic in ("secret/plans", "public/news"):
        publisher.client.publish(topic, b"retained", qos=1, retain=True).wait_for_publish(5)
    reader = mqtt_client("reader")
    denied = gate.http.post("/clients/reader/subscribe", json={"topic": "secret/+", "qos": 1})
    assert denied.status_code == 403 and denied.json()["code"] == "NOT_AUTHORIZED"
    assert gate.http.post("/clients/reader/subscribe", json={"topic": "#", "qos": 1}).status_code == 200
    assert [s["topic"] for s in gate.http.get("/clients/reader/subscriptions").json()] == ["#"]
    assert wait_for(lambda: "public/news" in topics(reader))
    publisher.client.publish("secret/more", b"live", qos=1)
    publisher.client.publish("public/more", b"live", qos=1)
    assert wait_for(lambda: "public/more" in topics(reader))
    time.sleep(0.3)
    assert sorted(topics(reader)) == ["public/more", "public/news"]


def test_http_publish_obeys_the_rules_of_the_api_keys_name(gate, mqtt_client):
    """An API key publishes as a client whose client id and username are the key's name."""
    key = gate.http.post("/api_key", json={"name": "robot", "role": "publisher"}).json()
    robot = httpx.Client(base_url=gate.base_url + "/api/v5", auth=(key["api_key"], key["api_secret"]), timeout=10)
    put_rules(gate, "users", "robot", rule("secret/#", "deny", "publish"))
    watcher = mqtt_client("watcher")
    assert suback(watcher, ("#", 1)) == [1]
    with robot:
        denied = robot.post("/publish", json={"topic": "secret/x", "payload": "s", "qos": 1})
        assert denied.status_code == 403 and denied.json()["code"] == "NOT_AUTHORIZED"
        bulk = robot.post("/publish/bulk", json=[{"topic": "open/a", "payload": "1"},
                                                 {"topic": "secret/b", "payload": "2"}])
        assert bulk.status_code == 403  # all or none
        assert robot.post("/publish", json={"topic": "open/x", "payload": "o", "qos": 1}).status_code == 200
        assert robot.get("/clients").status_code == 403  # a publisher only publishes
    assert wait_for(lambda: topics(watcher) == ["open/x"])
    time.sleep(0.3)
    assert topics(watcher) == ["open/x"]


def test_rules_survive_a_restart(gate):
    put_rules(gate, "clients", "c1", rule("a/#"))
    put_rules(gate, "users", "u1", rule("b", "allow", "publish"))
    put_rules(gate, "all", "", rule("eq #", "deny", "subscribe"))
    gate.stop()
    again = start_gate(gate.config)
    try:
        assert again.http.get(f"{RULES}/clients/c1").json()["rules"] == [rule("a/#")]
        assert again.http.get(f"{RULES}/users/u1").json()["rules"] == [rule("b", "allow", "publish")]
        assert again.http.get(f"{RULES}/all").json()["rules"] == [rule("eq #", "deny", "subscribe")]
        denied = subprocess.run(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(again.mqtt_port), "-t", "#",
                                 "-i", "c9", "-C", "1", "-W", "3"], capture_output=True, text=True, timeout=30)
        assert "All subscription requests were denied" in denied.stderr
    finally:
        again.stop()
