"""Subscriptions and topics over the API, with real MQTT clients on the real broker."""

from __future__ import annotations

import subprocess
import time
from datetime import UTC, datetime, timedelta

from tests.conftest import wait_for


def test_client_subscriptions_are_listed(gate, mqtt_client):
    client = mqtt_client("lister")
    client.subscribe("a/+", 1)
    client.subscribe("b/#", 2)
    body = gate.http.get("/clients/lister/subscriptions").json()
    assert [(s["topic"], s["qos"], s["clientid"]) for s in body] == [("a/+", 1, "lister"), ("b/#", 2, "lister")]
    assert gate.http.get("/clients/nobody/subscriptions").json()["code"] == "CLIENTID_NOT_FOUND"


def test_subscribe_on_behalf_delivers_like_a_subscribe(gate, mqtt_client):
    target = mqtt_client("target")
    publisher = mqtt_client("publisher")
    publisher.client.publish("status/door", b"open", qos=1, retain=True).wait_for_publish(5)
    publisher.client.publish("status/window", b"shut", qos=0, retain=True).wait_for_publish(5)

    response = gate.http.post("/clients/target/subscribe", json={"topic": "status/#", "qos": 1})

    assert response.status_code == 200
    assert response.json() == {"clientid": "target", "topic": "status/#", "qos": 1, "node": response.json()["node"]}
    assert wait_for(lambda: len(target.messages) == 2), "the retained messages did not follow"
    assert sorted((m.topic, m.payload, m.retain) for m in target.messages) == [
        ("status/door", b"open", True), ("status/window", b"shut", True)]
    publisher.client.publish("status/light", b"on", qos=1).wait_for_publish(5)
    assert wait_for(lambda: any(m.topic == "status/light" for m in target.messages))
    assert [m.qos for m in target.messages if m.topic == "status/light"] == [1]


def test_subscribe_bulk_and_unsubscribe(gate, mqtt_client):
    target = mqtt_client("bulk-target")
    made = gate.http.post("/clients/bulk-target/subscribe/bulk",
                          json=[{"topic": "x/1", "qos": 0}, {"topic": "x/2", "qos": 2}, {"topic": "x/3"}])
    assert made.status_code == 200
    assert [(s["topic"], s["qos"]) for s in made.json()] == [("x/1", 0), ("x/2", 2), ("x/3", 0)]
    assert gate.http.post("/clients/bulk-target/unsubscribe", json={"topic": "x/1"}).status_code == 204
    assert gate.http.post("/clients/bulk-target/unsubscribe/bulk",
                          json=[{"topic": "x/3"}, {"topic": "never/subscribed"}]).status_code == 204
    assert [s["topic"] for s in gate.http.get("/clients/bulk-target/subscriptions").json()] == ["x/2"]
    mqtt_client("pub").client.publish("x/1", b"gone", qos=1).wait_for_publish(5)
    mqtt_client("pub2").client.publish("x/2", b"kept", qos=1).wait_for_publish(5)
    assert wait_for(lambda: target.messages)
    time.sleep(0.3)
    assert [m.topic for m in target.messages] == ["x/2"]


def test_bad_filters_are_400_bad_topic_and_change_nothing(gate, mqtt_client):
    mqtt_client("careful")
    for bad in ("a/#/b", "a+/b", "sport/#x", "nul\u0000", ""):
        response = gate.http.post("/clients/careful/subscribe", json={"topic": bad})
        assert response.status_code == 400 and response.json()["code"] == "BAD_TOPIC", bad
        assert "\n" not in response.json()["message"]
    bulk = gate.http.post("/clients/careful/subscribe/bulk", json=[{"topic": "fine/1"}, {"topic": "bad/#/x"}])
    assert bulk.status_code == 400 and bulk.json()["code"] == "BAD_TOPIC"
    assert gate.http.get("/clients/careful/subscriptions").json() == []  # nothing half-done
    assert gate.http.post("/clients/careful/unsubscribe", json={"topic": "#/x"}).json()["code"] == "BAD_TOPIC"


def test_bad_bodies_are_400(gate, mqtt_client):
    mqtt_client("strict")
    for body in ({"topic": "a", "qos": 3}, {"qos": 1}, {"topic": "a", "extra": 1}, []):
        response = gate.http.post("/clients/strict/subscribe", json=body)
        assert response.status_code == 400 and response.json()["code"] == "BAD_REQUEST", body
    assert gate.http.post("/clients/strict/subscribe/bulk", json=[]).status_code == 400
    raw = gate.http.post("/clients/strict/subscribe", content=b"\xff\xfe{",
                         headers={"Content-Type": "application/json"})
    assert raw.json() == {"code": "BAD_REQUEST", "message": "The request body is not valid UTF-8"}
    assert gate.http.get("/clients/strict/subscriptions").json() == []


def test_unknown_client_is_404_for_every_subscription_operation(gate):
    calls = [("post", "/clients/ghost/subscribe", {"topic": "a"}),
             ("post", "/clients/ghost/subscribe/bulk", [{"topic": "a"}]),
             ("post", "/clients/ghost/unsubscribe", {"topic": "a"}),
             ("post", "/clients/ghost/unsubscribe/bulk", [{"topic": "a"}])]
    for method, path, body in calls:
        response = gate.http.request(method, path, json=body)
        assert response.status_code == 404 and response.json()["code"] == "CLIENTID_NOT_FOUND", path


def test_subscribe_on_behalf_of_an_offline_persistent_session_queues_for_it(gate, mqtt_client):
    sleeper = mqtt_client("offline-sub", clean_session=False)
    sleeper.close()
    assert wait_for(lambda: gate.http.get("/clients/offline-sub").json()["connected"] is False)
    assert gate.http.post("/clients/offline-sub/subscribe", json={"topic": "late/news", "qos": 1}).status_code == 200
    mqtt_client("pub").client.publish("late/news", b"while you slept", qos=1).wait_for_publish(5)
    assert wait_for(lambda: gate.http.get("/clients/offline-sub").json()["mqueue_len"] == 1)
    back = mqtt_client("offline-sub", clean_session=False)
    assert wait_for(lambda: back.messages)
    assert back.messages[0].payload == b"while you slept"


def test_list_subscriptions_with_filters(gate, mqtt_client):
    mqtt_client("s1").subscribe("home/+/temp", 1)
    mqtt_client("s2").subscribe("home/kitchen/temp", 0)
    mqtt_client("s3").subscribe("office/#", 2)

    def topics(**params):
        response = gate.http.get("/subscriptions", params=params)
        assert response.status_code == 200, response.text
        return sorted((s["clientid"], s["topic"], s["qos"]) for s in response.json()["data"])

    assert topics() == [("s1", "home/+/temp", 1), ("s2", "home/kitchen/temp", 0), ("s3", "office/#", 2)]
    assert topics(clientid="s3") == [("s3", "office/#", 2)]
    assert topics(topic="home/+/temp") == [("s1", "home/+/temp", 1)]
    assert topics(qos=0) == [("s2", "home/kitchen/temp", 0)]
    assert topics(match_topic="home/kitchen/temp") == [("s1", "home/+/temp", 1), ("s2", "home/kitchen/temp", 0)]
    assert topics(match_topic="office/a/b", qos=2) == [("s3", "office/#", 2)]
    assert topics(clientid="nobody") == []
    assert gate.http.get("/subscriptions").json()["meta"]["count"] == 3
    paged = gate.http.get("/subscriptions", params={"limit": 2}).json()
    assert len(paged["data"]) == 2 and paged["meta"]["hasnext"] is True


def test_topics_list_routes_and_who_holds_them(gate, mqtt_client):
    mqtt_client("t1").subscribe("plant/+/level", 1)
    mqtt_client("t2").subscribe("plant/+/level", 0)
    client = mqtt_client("t3")
    client.subscribe("gone/soon", 0)
    client.client.unsubscribe("gone/soon")
    assert wait_for(lambda: gate.http.get("/subscriptions", params={"clientid": "t3"}).json()["data"] == [])
    body = gate.http.get("/topics").json()
    assert [(t["topic"], t["subscriptions_cnt"]) for t in body["data"]] == [("plant/+/level", 2)]
    matching = gate.http.get("/topics", params={"topic": "plant/7/level"}).json()["data"]
    assert [t["topic"] for t in matching] == ["plant/+/level"]
    assert gate.http.get("/topics", params={"topic": "plant/7"}).json()["data"] == []
    assert gate.http.get("/topics", params={"node": "elsewhere@host"}).json()["data"] == []
    detail = gate.http.get("/topics/plant/+/level")
    assert detail.status_code == 200
    assert sorted((s["clientid"], s["qos"]) for s in detail.json()["subscriptions"]) == [("t1", 1), ("t2", 0)]
    assert gate.http.get("/topics/plant%2F%2B%2Flevel").json()["topic"] == "plant/+/level"
    missing = gate.http.get("/topics/gone/soon")
    assert missing.status_code == 404 and missing.json()["code"] == "TOPIC_NOT_FOUND"


def test_kickout_bulk_passes_over_unknown_ids(gate, mqtt_client):
    one, two, stays = mqtt_client("k1"), mqtt_client("k2"), mqtt_client("k3")
    for client in (one, two):
        client.client.reconnect_delay_set(60, 60)
    assert gate.http.post("/clients/kickout/bulk", json=["k1", "k2", "nobody"]).status_code == 204
    assert wait_for(lambda: one.disconnected and two.disconnected)
    remaining = [c["clientid"] for c in gate.http.get("/clients").json()["data"]]
    assert remaining == ["k3"] and not stays.disconnected
    assert gate.http.post("/clients/kickout/bulk", json=[]).status_code == 400


def test_more_client_filters_and_fields(gate, mqtt_client):
    before = datetime.now(UTC) - timedelta(seconds=1)
    mqtt_client("clean-one")
    mqtt_client("kept-one", clean_session=False)
    after = datetime.now(UTC) + timedelta(seconds=1)

    def ids(**params):
        response = gate.http.get("/clients", params=params)
        assert response.status_code == 200, response.text
        return [c["clientid"] for c in response.json()["data"]]

    assert ids(clean_start="false") == ["kept-one"]
    assert ids(clean_start="true") == ["clean-one"]
    assert ids(proto_ver=4) == ["clean-one", "kept-one"] and ids(proto_ver=5) == []
    assert ids(gte_created_at=before.isoformat(), lte_created_at=after.isoformat()) == ["clean-one", "kept-one"]
    assert ids(gte_connected_at=str(int(after.timestamp() * 1000))) == []
    assert ids(lte_connected_at=str(int(before.timestamp() * 1000))) == []
    sparse = gate.http.get("/clients", params={"fields": "clientid,connected"}).json()["data"]
    assert sparse == [{"clientid": "clean-one", "connected": True}, {"clientid": "kept-one", "connected": True}]
    full = gate.http.get("/clients", params={"fields": "all"}).json()["data"][0]
    assert full["expiry_interval"] == 0 and full["mqueue_max"] == 1000
    assert gate.http.get("/clients/kept-one").json()["expiry_interval"] == 7200
    for bad in ({"gte_created_at": "yesterday"}, {"lte_connected_at": "2026-13-45T00:00:00Z"},
                {"fields": "clientid,password"}, {"clean_start": "maybe"}):
        response = gate.http.get("/clients", params=bad)
        assert response.status_code == 400 and response.json()["code"] == "BAD_REQUEST", bad


def test_outside_client_subscribed_on_behalf_receives(gate):
    sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(gate.mqtt_port), "-i", "outside",
                            "-t", "placeholder", "-C", "1", "-W", "10", "-v"], stdout=subprocess.PIPE, text=True)
    assert wait_for(lambda: gate.http.get("/clients/outside").status_code == 200)
    assert gate.http.post("/clients/outside/subscribe", json={"topic": "ops/alert", "qos": 1}).status_code == 200
    subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(gate.mqtt_port), "-t", "ops/alert",
                    "-m", "disk full", "-q", "1"], check=True, timeout=10)
    assert sub.communicate(timeout=10)[0].strip() == "ops/alert disk full"


def test_the_count_of_all_subscriptions_stays_the_number_listed(gate, mqtt_client):
    # the count is the broker's, kept as subscriptions come and go (not summed per request)
    def count_and_listed():
        body = gate.http.get("/subscriptions", params={"limit": 1000}).json()
        return body["meta"]["count"], len(body["data"])

    a = mqtt_client("count-a")
    a.subscribe("c/1", 0)
    a.subscribe("c/1", 2)  # again, another QoS: replaces it
    a.subscribe("c/2", 1)
    mqtt_client("count-b").subscribe("c/1", 1)
    persistent = mqtt_client("count-p", clean_session=False)
    persistent.subscribe("c/3", 1)
    assert gate.http.post("/clients/count-b/subscribe", json={"topic": "c/4"}).status_code == 200
    assert count_and_listed() == (5, 5)
    a.client.unsubscribe("c/2")
    assert wait_for(lambda: count_and_listed() == (4, 4))
    persistent.close()  # its session stays, with its subscription
    assert gate.http.delete("/clients/count-b").status_code == 204  # kicked: its session goes
    assert wait_for(lambda: count_and_listed() == (2, 2)), count_and_listed()
    mqtt_client("count-a")  # a clean session taking over the id: the old one's subscriptions go
    assert wait_for(lambda: count_and_listed() == (1, 1)), count_and_listed()
