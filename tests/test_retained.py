"""Retained messages: the /mqtt/retainer API, delivery on SUBSCRIBE only, and what survives a restart."""

from __future__ import annotations

import base64
import sqlite3
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from mqttgate.broker.retained import RetainedStore
from tests.conftest import MqttClient, wait_for
from tests.live import start_gate
from tests.messaging import lines, mosquitto_sub, only_marker_after, received
from tests.processes import SERVE, Process

RULES = "/authorization/sources/built_in_database/rules"


def retain(gate, topic: str, payload: str = "x", qos: int = 0, **fields) -> None:
    response = gate.http.post("/publish", json={"topic": topic, "payload": payload, "qos": qos, "retain": True,
                                                **fields})
    assert response.status_code in (200, 202), response.text


def topics(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [m["topic"] for m in response.json()["data"]]


def test_list_shows_who_published_each_and_when_without_payloads(gate, mqtt_client):
    before = datetime.now(UTC)
    retain(gate, "api/topic", "from the api", qos=2)
    sensor = mqtt_client("sensor-7", username="alice")
    sensor.client.publish("mqtt/topic", b"from mqtt", qos=1, retain=True).wait_for_publish(5)
    assert wait_for(lambda: len(gate.http.get("/mqtt/retainer/messages").json()["data"]) == 2)

    body = gate.http.get("/mqtt/retainer/messages").json()

    assert body["meta"] == {"page": 1, "limit": 100, "count": 2, "hasnext": False}
    by_topic = {m["topic"]: m for m in body["data"]}
    assert by_topic.keys() == {"api/topic", "mqtt/topic"}
    api, mqtt = by_topic["api/topic"], by_topic["mqtt/topic"]
    assert (api["qos"], api["from_clientid"], api["from_username"]) == (2, gate.api_key, gate.api_key)
    assert (mqtt["qos"], mqtt["from_clientid"], mqtt["from_username"]) == (1, "sensor-7", "alice")
    for message in (api, mqtt):
        assert "payload" not in message
        assert before <= datetime.fromisoformat(message["publish_at"]) <= datetime.now(UTC)


def test_the_id_publish_answers_is_the_retained_msgid(gate, mqtt_client):
    mqtt_client("listener").subscribe("id/#", 0)
    answer = gate.http.post("/publish", json={"topic": "id/1", "payload": "x", "retain": True}).json()
    assert gate.http.get("/mqtt/retainer/message/id%2F1").json()["msgid"] == answer["id"]


def test_list_pages_and_filters_with_wildcards(gate):
    for topic in ("a/1", "a/2", "a/3", "b/1", "b/2/c"):
        retain(gate, topic)
    pages = [gate.http.get("/mqtt/retainer/messages", params={"page": p, "limit": 2}).json() for p in (1, 2, 3)]
    assert [[m["topic"] for m in p["data"]] for p in pages] == [["a/1", "a/2"], ["a/3", "b/1"], ["b/2/c"]]
    assert [p["meta"]["hasnext"] for p in pages] == [True, True, False]

    def listed(topic_filter: str, **params) -> list[str]:
        return topics(gate.http.get("/mqtt/retainer/messages", params={"topic": topic_filter, **params}))

    assert listed("a/+") == ["a/1", "a/2", "a/3"]
    assert listed("b/#") == ["b/1", "b/2/c"]
    assert listed("+/1") == ["a/1", "b/1"]
    assert listed("#") == ["a/1", "a/2", "a/3", "b/1", "b/2/c"]
    assert listed("a/2") == ["a/2"]
    assert listed("c/#") == []
    assert listed("#", page=2, limit=3) == ["b/1", "b/2/c"]
    assert "count" not in gate.http.get("/mqtt/retainer/messages", params={"topic": "#"}).json()["meta"]


@pytest.mark.parametrize("topic_filter, reason", [
    ("a#", "'#' must be a whole level and the last one"), ("a/#/b", "'#' must be a whole level and the last one"),
    ("a+/b", "'+' must be a whole level"), ("", "empty"), ("a\u0000", "NUL"),
])
def test_a_bad_topic_filter_is_400_bad_topic(gate, topic_filter, reason):
    retain(gate, "kept")
    for method in ("GET", "DELETE"):
        response = gate.http.request(method, "/mqtt/retainer/messages", params={"topic": topic_filter})
        assert response.status_code == 400
        assert response.json()["code"] == "BAD_TOPIC" and reason in response.json()["message"]
    assert topics(gate.http.get("/mqtt/retainer/messages")) == ["kept"]


def test_get_answers_the_payload_in_base64(gate):
    raw = bytes(range(256))
    retain(gate, "bin", base64.b64encode(raw).decode(), qos=1, payload_encoding="base64")
    body = gate.http.get("/mqtt/retainer/message/bin").json()
    assert base64.b64decode(body["payload"]) == raw
    assert body["qos"] == 1 and body["topic"] == "bin"


@pytest.mark.parametrize("topic", ["a/b/c", "/leading", "trailing/", "a//b", "odd/100%/what?/x y/ü/é"])
def test_topics_with_slashes_work_in_the_path_encoded_or_not(gate, topic):
    retain(gate, topic, "here")
    encoded, slashes_kept = quote(topic, safe=""), quote(topic, safe="/")
    assert "%2F" in encoded
    for path in (encoded, slashes_kept):
        response = gate.http.get(f"/mqtt/retainer/message/{path}")
        assert response.status_code == 200, path
        assert response.json()["topic"] == topic
    assert gate.http.delete(f"/mqtt/retainer/message/{encoded}").status_code == 204
    assert gate.http.get(f"/mqtt/retainer/message/{slashes_kept}").status_code == 404
    assert topics(gate.http.get("/mqtt/retainer/messages")) == []


def test_a_method_the_path_lacks_is_405_listing_those_it_has(gate):
    response = gate.http.put("/mqtt/retainer/message/a/b/c")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, HEAD"


def test_an_unknown_topic_is_404(gate):
    retain(gate, "a/b")
    for method in ("GET", "DELETE"):
        for topic in ("a", "a%2Fb%2Fc", "a/+"):
            response = gate.http.request(method, f"/mqtt/retainer/message/{topic}")
            assert response.status_code == 404
            assert response.json() == {"code": "NOT_FOUND", "message": "No retained message on this topic"}


def test_delete_one_clear_by_filter_and_clear_all(gate):
    for topic in ("a/1", "a/2", "b/1", "c"):
        retain(gate, topic)
    assert gate.http.delete("/mqtt/retainer/message/a%2F1").status_code == 204
    assert topics(gate.http.get("/mqtt/retainer/messages")) == ["a/2", "b/1", "c"]
    assert gate.http.delete("/mqtt/retainer/messages", params={"topic": "+/#"}).status_code == 204
    assert topics(gate.http.get("/mqtt/retainer/messages")) == []  # "+/#" matches "c" too
    for topic in ("x", "y/z"):
        retain(gate, topic)
    assert gate.http.delete("/mqtt/retainer/messages", params={"topic": "nothing/here"}).status_code == 204
    assert gate.http.delete("/mqtt/retainer/messages").status_code == 204
    assert gate.http.get("/mqtt/retainer/messages").json() == {
        "data": [], "meta": {"page": 1, "limit": 100, "count": 0, "hasnext": False}}


def test_an_empty_retained_publish_deletes_over_the_api_and_over_mqtt(gate, mqtt_client):
    retain(gate, "e/api")
    retain(gate, "e/mqtt")
    listener = mqtt_client("listener")
    listener.subscribe("e/#", 0)
    retain(gate, "e/api", "")
    subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(gate.mqtt_port), "-t", "e/mqtt", "-r", "-n"],
                   check=True, timeout=10)
    # the empty message still reaches the current subscribers, as MQTT 3.1.1 §3.3.1.3 says
    assert sorted((m.topic, m.payload) for m in received(listener, 4)[2:]) == [("e/api", b""), ("e/mqtt", b"")]
    assert topics(gate.http.get("/mqtt/retainer/messages")) == []


def test_subscribe_gets_the_new_filters_matches_at_the_lower_qos_flagged_retained(gate, mqtt_client):
    for qos in (0, 1, 2):
        retain(gate, f"r/{qos}", f"q{qos}", qos=qos)
    client = mqtt_client("subscriber")
    client.subscribe("r/#", 1)
    messages = received(client, 3)
    assert sorted((m.topic, m.payload, m.qos, m.retain) for m in messages) == [
        ("r/0", b"q0", 0, True), ("r/1", b"q1", 1, True), ("r/2", b"q2", 1, True)]
    client.subscribe("r/2", 2)
    assert [(m.topic, m.qos, m.retain) for m in received(client, 4)[3:]] == [("r/2", 2, True)]


def test_retained_delivery_passes_the_receive_acl(gate, mqtt_client):
    retain(gate, "r/open", "yes")
    retain(gate, "r/secret", "no")
    rule = {"topic": "r/secret", "permission": "deny", "action": "subscribe"}
    assert gate.http.put(f"{RULES}/clients/nosy", json={"rules": [rule]}).status_code == 204
    client = mqtt_client("nosy")
    client.subscribe("r/#", 0)
    gate.http.post("/publish", json={"topic": "r/marker", "payload": "end"})
    assert [m.topic for m in received(client, 2)] == ["r/open", "r/marker"]


def test_nothing_retained_is_sent_on_connect(gate, mqtt_client):
    holder = mqtt_client("holder", clean_session=False)
    holder.subscribe("r/#", 1)
    retain(gate, "r/1", "old news", qos=1)
    assert [m.topic for m in received(holder)] == ["r/1"]

    newcomer = mqtt_client("newcomer")  # amqtt sends it what other clients' filters match
    newcomer.subscribe("m", 0)
    only_marker_after(gate, newcomer, "m")

    holder.close()
    assert wait_for(lambda: gate.http.get("/clients/holder").json()["connected"] is False)
    back = mqtt_client("holder", clean_session=False)  # its own filter matches: still nothing on CONNECT
    back.subscribe("m", 0)
    only_marker_after(gate, back, "m")


def test_retained_messages_survive_a_restart(gate, mqtt_client):
    raw = bytes(range(256))
    retain(gate, "binary", base64.b64encode(raw).decode(), qos=2, payload_encoding="base64")
    retain(gate, "keep/api", "from the api", qos=2)
    sensor = mqtt_client("sensor", username="bob")
    sensor.client.publish("keep/mqtt", b"from mqtt", qos=1, retain=True).wait_for_publish(5)
    retain(gate, "keep/deleted")
    retain(gate, "keep/deleted", "")
    assert wait_for(lambda: len(gate.http.get("/mqtt/retainer/messages").json()["data"]) == 3)
    before = gate.http.get("/mqtt/retainer/messages").json()["data"]
    sensor.close()
    gate.stop()

    again = start_gate(gate.config)
    try:
        assert again.http.get("/mqtt/retainer/messages").json()["data"] == before
        assert base64.b64decode(again.http.get("/mqtt/retainer/message/binary").json()["payload"]) == raw
        outside = mosquitto_sub(again, "outside", "keep/#", count=2, qos=2)
        assert sorted(lines(outside)) == ["keep/api 2 1 from the api", "keep/mqtt 1 1 from mqtt"]
    finally:
        again.stop()


def test_the_api_answers_once_the_change_is_on_disk_even_when_the_disk_is_slow(gate, monkeypatch):
    commit = RetainedStore._commit

    def slow_commit(self, writes):
        time.sleep(0.3)
        return commit(self, writes)

    monkeypatch.setattr(RetainedStore, "_commit", slow_commit)
    db = sqlite3.connect(Path(gate.config.data_dir) / "mqttgate.db")

    def on_disk() -> list[str]:  # what a kill -9 now would leave
        return [row[0] for row in db.execute("SELECT topic FROM retained_messages ORDER BY topic")]

    try:
        retain(gate, "d/1")
        assert on_disk() == ["d/1"]
        bulk = [{"topic": f"d/{n}", "payload": "x", "retain": True} for n in (2, 3, 4)]
        assert gate.http.post("/publish/bulk", json=bulk).status_code == 202
        assert on_disk() == ["d/1", "d/2", "d/3", "d/4"]
        retain(gate, "d/1", "")
        assert on_disk() == ["d/2", "d/3", "d/4"]
        assert gate.http.delete("/mqtt/retainer/message/d%2F2").status_code == 204
        assert on_disk() == ["d/3", "d/4"]
        assert gate.http.delete("/mqtt/retainer/messages", params={"topic": "d/3"}).status_code == 204
        assert on_disk() == ["d/4"]
    finally:
        db.close()


def test_a_restored_backup_brings_its_retained_messages_back_at_once(gate, mqtt_client):
    retain(gate, "kept/a", "from the backup", qos=1)
    backup = gate.http.post("/data/export").json()["filename"]
    retain(gate, "kept/a", "")
    retain(gate, "kept/b", "after the backup")

    assert gate.http.post("/data/import", json={"filename": backup}).status_code == 204

    assert topics(gate.http.get("/mqtt/retainer/messages")) == ["kept/a"]
    client = mqtt_client("after-restore")
    client.subscribe("kept/#", 1)
    assert [(m.topic, m.payload, m.retain) for m in received(client)] == [("kept/a", b"from the backup", True)]


@pytest.fixture
def processes(tmp_path):
    made: list[Process] = []

    def start() -> Process:
        made.append(Process(SERVE, tmp_path).wait_ready())
        return made[-1]

    yield start
    for process in made:
        process.close()


def test_what_the_api_answered_for_survives_kill_9_right_after(processes):
    first = processes()
    auth = first.api_auth()
    bulk = [{"topic": f"k/{n}", "payload": f"v{n}", "qos": 1, "retain": True} for n in range(200)]
    assert httpx.post(f"{first.url}/publish/bulk", json=bulk, auth=auth, timeout=30).status_code == 202
    first.proc.kill()
    first.proc.wait()

    second = processes()
    listed = httpx.get(f"{second.url}/mqtt/retainer/messages", params={"limit": 1000}, auth=auth).json()["data"]
    assert [m["topic"] for m in listed] == [f"k/{n}" for n in range(200)]
    assert httpx.delete(f"{second.url}/mqtt/retainer/messages", params={"topic": "k/+"}, auth=auth).status_code == 204
    second.proc.kill()
    second.proc.wait()

    third = processes()
    assert httpx.get(f"{third.url}/mqtt/retainer/messages", auth=auth).json()["data"] == []
    client = MqttClient(third.mqtt_port, "after-kill").connect()
    try:
        client.subscribe("k/#", 1)
        assert httpx.post(f"{third.url}/publish", json={"topic": "k/marker", "payload": "m"},
                          auth=auth).status_code == 200
        assert [m.topic for m in received(client)] == ["k/marker"]
    finally:
        client.close()
