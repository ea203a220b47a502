"""A cluster: a real NATS cluster of three servers with JetStream, mqttgate nodes on it, paho clients."""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import MqttClient, wait_for
from tests.live import LiveGate, gate_config, start_gate
from tests.nats_cluster import NatsCluster
from tests.rawmqtt import RawClient

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def nats_cluster(tmp_path_factory) -> Iterator[NatsCluster]:
    cluster = NatsCluster(tmp_path_factory.mktemp("nats"))
    yield cluster
    cluster.close()


def start_node(tmp_path, nats: NatsCluster, name: str, server: int, **env: str) -> LiveGate:
    """A node on NATS server `server` first (the others are its fallbacks), with the cluster's API key.

    The first node of a NATS cluster makes the first API key; the API keys are shared, so the
    nodes after it make none and use that one.
    """
    urls = nats.urls[server:] + nats.urls[:server]
    overrides = {f"MQTTGATE_CLUSTER__SERVERS__{i}": url for i, url in enumerate(urls)}
    settings = {"MQTTGATE_CLUSTER__NODE": name, "MQTTGATE_CLUSTER__REPLICAS": "3",
                "MQTTGATE_CLUSTER__HEARTBEAT_INTERVAL": "0.5", **overrides, **env}
    gate = start_gate(gate_config(tmp_path / name, **settings), credentials=nats.api_credentials)
    nats.api_credentials = (gate.api_key, gate.api_secret)
    return gate


@pytest.fixture(scope="module")
def nodes(tmp_path_factory, nats_cluster) -> Iterator[list[LiveGate]]:
    """Two mqttgate nodes, on different NATS servers of one cluster (shared by the tests that leave
    them as they found them)."""
    tmp_path = tmp_path_factory.mktemp("nodes")
    started: list[LiveGate] = []
    try:
        for i in range(2):
            started.append(start_node(tmp_path, nats_cluster, f"node{i + 1}-{uuid.uuid4().hex[:6]}", i))
        yield started
    finally:
        for node in started:
            node.stop()


@pytest.fixture
def client(nodes) -> Iterator:
    made: list[MqttClient] = []

    def make(node: LiveGate, clientid: str, *, reconnect: bool = True, **kwargs) -> MqttClient:
        made.append(MqttClient(node.mqtt_port, clientid, **kwargs))
        if not reconnect:  # closed by the broker, it stays closed (paho would connect again)
            made[-1].client.reconnect_delay_set(300, 300)
        return made[-1].connect()

    yield make
    for c in made:
        c.close()


def settled(publisher: MqttClient, subscriber: MqttClient, topic: str) -> None:
    """Wait until what `publisher` sends to `topic` reaches `subscriber` (NATS spreads a new
    subscription to its other servers asynchronously), then forget the probes."""
    def probe() -> bool:
        publisher.client.publish(topic, b"probe", qos=0)
        return wait_for(lambda: subscriber.messages, 0.3)
    assert wait_for(probe, 10, 0), "the subscription never reached the other node"
    wait_for(lambda: False, 0.3)
    subscriber.messages.clear()


@pytest.mark.parametrize("qos", [0, 1, 2])
def test_a_message_published_on_one_node_reaches_a_subscriber_on_another_once(nodes, client, qos):
    subscriber = client(nodes[0], "sub")
    subscriber.subscribe("room/+/temp", qos)
    publisher = client(nodes[1], "pub")
    settled(publisher, subscriber, "room/probe/temp")
    for i in range(5):
        publisher.client.publish(f"room/{i}/temp", f"t{i}".encode(), qos=qos)
    assert wait_for(lambda: len(subscriber.messages) >= 5, 10)
    wait_for(lambda: False, 0.5)  # anything twice would be in by now
    assert [(m.topic, m.payload, m.qos) for m in subscriber.messages] == [
        (f"room/{i}/temp", f"t{i}".encode(), qos) for i in range(5)]


def test_overlapping_filters_on_a_node_get_a_remote_message_once_each_and_odd_levels_survive(nodes, client):
    subscriber = client(nodes[0], "sub")
    subscriber.subscribe("a.b/#", 1)  # also matches its parent level, a.b
    other = client(nodes[0], "other")
    other.subscribe("a.b/ x/", 1)  # the same node hears this topic on two NATS subscriptions
    publisher = client(nodes[1], "pub")
    settled(publisher, subscriber, "a.b")
    other.messages.clear()
    for topic in ["a.b", "a.b/ x/", "a.b/ünï/%2E", "a.c/x"]:
        publisher.client.publish(topic, topic.encode(), qos=1)
    assert wait_for(lambda: len(subscriber.messages) >= 3 and other.messages, 10)
    wait_for(lambda: False, 0.5)
    assert sorted(m.topic for m in subscriber.messages) == sorted(["a.b", "a.b/ x/", "a.b/ünï/%2E"])
    assert [m.topic for m in other.messages] == ["a.b/ x/"]


def test_an_http_publish_on_one_node_reaches_subscribers_on_every_node(nodes, client):
    near, far = client(nodes[1], "near"), client(nodes[0], "far")
    near.subscribe("alerts/#", 1)
    far.subscribe("alerts/#", 1)
    prober = client(nodes[1], "prober")
    settled(prober, far, "alerts/probe")
    near.messages.clear()
    answer = nodes[1].http.post("/publish", json={"topic": "alerts/fire", "payload": "now", "qos": 1})
    assert answer.status_code == 200, answer.text
    assert wait_for(lambda: near.messages and far.messages, 10)
    wait_for(lambda: False, 0.3)
    assert [(m.topic, m.payload) for m in far.messages] == [("alerts/fire", b"now")]
    assert [(m.topic, m.payload) for m in near.messages] == [("alerts/fire", b"now")]


def test_unsubscribing_stops_the_remote_messages(nodes, client):
    subscriber = client(nodes[0], "sub")
    subscriber.subscribe("news", 0)
    publisher = client(nodes[1], "pub")
    settled(publisher, subscriber, "news")
    done = []
    subscriber.client.on_unsubscribe = lambda *a: done.append(a)
    subscriber.client.unsubscribe("news")
    assert wait_for(lambda: done)
    wait_for(lambda: False, 0.5)
    publisher.client.publish("news", b"late", qos=0)
    marker = client(nodes[0], "marker")
    marker.subscribe("marker", 0)
    settled(publisher, marker, "marker")
    assert subscriber.messages == []


def test_a_connect_on_another_node_takes_the_client_id_over(nodes, client):
    first = client(nodes[0], "device-1", reconnect=False)
    first.subscribe("cmd/device-1", 1)
    assert wait_for(lambda: nodes[0].http.get("/clients/device-1").status_code == 200)
    second = client(nodes[1], "device-1")
    assert second.connack == 0
    assert wait_for(lambda: first.disconnected, 10), "the first connection was left open"
    held_by = nodes[1].config.cluster.node
    assert wait_for(lambda: nodes[0].http.get("/clients/device-1").json().get("node") == held_by, 5)
    assert nodes[0].http.get("/clients/device-1").json()["connected"] is True
    on_first = nodes[0].http.get("/clients", params={"node": nodes[0].config.cluster.node}).json()["data"]
    assert "device-1" not in [c["clientid"] for c in on_first]


def test_nodes_lists_every_live_node_from_any_node(nodes):
    names = sorted(node.config.cluster.node for node in nodes)
    for node in nodes:
        answer = node.http.get("/nodes")
        assert answer.status_code == 200, answer.text
        assert [n["node"] for n in answer.json()] == names
    other = nodes[0].http.get(f"/nodes/{nodes[1].config.cluster.node}")
    assert other.status_code == 200 and other.json()["listeners"][0]["bind"].endswith(f":{nodes[1].mqtt_port}")
    assert nodes[0].http.get("/nodes/nobody@nowhere").status_code == 404


def test_clients_pages_are_the_same_from_every_node_and_reach_the_holding_node(nodes, client):
    for i in range(3):
        client(nodes[0], f"c0-{i}")
        client(nodes[1], f"c1-{i}")
    # amqtt forgets a disconnected clean session within a second: the previous tests' go first
    assert wait_for(lambda: all(n.http.get("/clients").json()["meta"]["count"] == 6 for n in nodes), 5)
    pages = []
    for node in nodes:
        first = node.http.get("/clients", params={"limit": 4}).json()
        second = node.http.get("/clients", params={"limit": 4, "page": 2}).json()
        pages.append((first, second))
        assert first["meta"]["hasnext"] is True and second["meta"]["hasnext"] is False
        assert first["meta"]["count"] == 6 and "missing_nodes" not in first["meta"]
        ids = [c["clientid"] for c in first["data"] + second["data"]]
        assert sorted(ids) == sorted([f"c{n}-{i}" for n in range(2) for i in range(3)])
    assert [[c["clientid"] for c in p["data"]] for p in pages[0]] == [[c["clientid"] for c in p["data"]]
                                                                      for p in pages[1]]
    by_node = nodes[0].http.get("/clients", params={"node": nodes[1].config.cluster.node}).json()
    assert sorted(c["clientid"] for c in by_node["data"]) == ["c1-0", "c1-1", "c1-2"]
    assert {c["node"] for c in by_node["data"]} == {nodes[1].config.cluster.node}
    one = nodes[0].http.get("/clients/c1-1")
    assert one.status_code == 200 and one.json()["node"] == nodes[1].config.cluster.node
    assert nodes[0].http.get("/clients/nobody").json()["code"] == "CLIENTID_NOT_FOUND"


def test_kick_and_subscribe_on_behalf_from_another_node(nodes, client):
    target = client(nodes[1], "target", reconnect=False)
    made = nodes[0].http.post("/clients/target/subscribe", json={"topic": "orders/#", "qos": 1})
    assert made.status_code == 200, made.text
    subs = nodes[0].http.get("/clients/target/subscriptions").json()
    assert [(s["topic"], s["qos"]) for s in subs] == [("orders/#", 1)]
    publisher = client(nodes[0], "pub")
    settled(publisher, target, "orders/1")
    assert nodes[0].http.delete("/clients/target").status_code == 204
    assert wait_for(lambda: target.disconnected, 5)
    assert wait_for(lambda: nodes[1].http.get("/clients/target").status_code == 404, 5)
    assert nodes[0].http.delete("/clients/target").json()["code"] == "CLIENTID_NOT_FOUND"


def test_a_killed_node_leaves_nodes_and_clients_within_seconds(tmp_path, nodes, nats_cluster, client):
    from tests.processes import BIN, Process

    name = f"doomed-{uuid.uuid4().hex[:6]}"
    servers = "".join(f"\n    - {url}" for url in nats_cluster.urls)
    doomed = Process([BIN / "mqttgate", "serve", "--config", "{config}"], tmp_path,
                     config=f"cluster:\n  node: {name}\n  replicas: 3\n  heartbeat_interval: 0.5\n"
                            f"  servers:{servers}\n")
    try:
        doomed.wait_ready(90)
        held = MqttClient(doomed.mqtt_port, "on-doomed").connect()
        survivor = client(nodes[0], "on-survivor")

        def listed() -> tuple[list[str], list[str]]:
            names = [n["node"] for n in nodes[0].http.get("/nodes").json()]
            ids = [c["clientid"] for c in nodes[1].http.get("/clients").json()["data"]]
            return names, ids
        assert wait_for(lambda: name in listed()[0] and "on-doomed" in listed()[1], 10)
        doomed.proc.kill()
        doomed.proc.wait(10)
        held.client.loop_stop()

        def gone() -> bool:
            names, ids = listed()
            page = nodes[1].http.get("/clients").json()
            return name not in names and "on-doomed" not in ids and "missing_nodes" not in page["meta"]
        assert wait_for(gone, 10), listed()
        assert "on-survivor" in listed()[1]
        assert survivor.disconnected is False
    finally:
        doomed.close()


def test_routing_and_state_go_on_when_a_nats_server_dies(tmp_path):
    nats = NatsCluster(tmp_path / "nats")
    started: list[LiveGate] = []
    made: list[MqttClient] = []
    try:
        for i in range(2):
            started.append(start_node(tmp_path, nats, f"n{i}", i))
        subscriber = MqttClient(started[0].mqtt_port, "sub").connect()
        publisher = MqttClient(started[1].mqtt_port, "pub").connect()
        made += [subscriber, publisher]
        subscriber.subscribe("plant/#", 1)
        settled(publisher, subscriber, "plant/probe")
        started[0].http.post("/publish", json={"topic": "state/before", "payload": "kept", "retain": True,
                                               "qos": 1}).raise_for_status()
        assert wait_for(lambda: started[1].http.get("/mqtt/retainer/message/state%2Fbefore").status_code == 200, 10)
        nats.servers[0].kill()  # the first node's server
        later = MqttClient(started[0].mqtt_port, "later").connect()
        made.append(later)
        later.subscribe("after/+", 1)

        def delivered() -> bool:
            publisher.client.publish("plant/1", b"on", qos=1)
            publisher.client.publish("after/1", b"on", qos=1)
            return wait_for(lambda: subscriber.messages and later.messages, 0.5)
        assert wait_for(delivered, 20, 0), "routing did not resume on the other NATS servers"
        assert wait_for(lambda: sorted(n["node"] for n in started[1].http.get("/nodes").json()) == ["n0", "n1"], 10)
        # the shared state outlives the server (three replicas), and a change still reaches every node
        for node in started:
            assert node.http.get("/mqtt/retainer/message/state%2Fbefore").status_code == 200
        started[0].http.post("/banned", json={"as": "clientid", "who": "after-death"}).raise_for_status()
        assert wait_for(lambda: "after-death" in [b["who"] for b in started[1].http.get("/banned").json()["data"]],
                        20)
    finally:
        for c in made:
            c.close()
        for node in started:
            node.stop()
        nats.close()


def test_a_retained_message_published_on_one_node_is_delivered_on_subscribe_on_another(nodes, client):
    publisher = client(nodes[1], "pub")
    publisher.client.publish("config/fan", b"speed=3", qos=1, retain=True).wait_for_publish(5)
    assert wait_for(lambda: nodes[0].http.get("/mqtt/retainer/message/config%2Ffan").status_code == 200, 2)
    subscriber = client(nodes[0], "sub")
    subscriber.subscribe("config/+", 1)
    assert wait_for(lambda: subscriber.messages, 5)
    assert [(m.topic, m.payload, m.retain) for m in subscriber.messages] == [("config/fan", b"speed=3", True)]
    assert nodes[0].http.delete("/mqtt/retainer/message/config%2Ffan").status_code == 204
    assert wait_for(lambda: nodes[1].http.get("/mqtt/retainer/message/config%2Ffan").status_code == 404, 2)


def test_a_retained_message_deleted_and_set_again_on_one_node_stays_on_it(nodes):
    # the delete came back from the bucket after the new message, and took it away on that node alone
    publisher = RawClient(nodes[0].mqtt_port)
    try:
        publisher.connect("again-pub")
        for n in range(20):
            publisher.publish("again/t", f"v{n}".encode(), retain=True)
            publisher.publish("again/t", b"", retain=True)  # deletes it
        publisher.publish("again/t", b"last", retain=True)
        publisher.disconnect()
    finally:
        publisher.close()
    time.sleep(1.5)  # every echo of these changes is back by now
    for node in nodes:
        message = node.http.get("/mqtt/retainer/message/again%2Ft")
        assert message.status_code == 200, (node.base_url, message.text)
        assert base64.b64decode(message.json()["payload"]) == b"last"


def test_a_ban_made_on_one_node_kicks_and_refuses_on_another(nodes, client):
    victim = client(nodes[1], "villain", reconnect=False)
    made = nodes[0].http.post("/banned", json={"as": "clientid", "who": "villain", "reason": "test"})
    assert made.status_code == 200, made.text
    assert wait_for(lambda: victim.disconnected, 2), "not kicked on the other node within a second or so"
    again = MqttClient(nodes[1].mqtt_port, "villain")
    try:
        again.connect()
        assert again.connack not in (None, 0)
    finally:
        again.close()
    assert nodes[1].http.delete("/banned/clientid/villain").status_code == 204
    assert wait_for(lambda: nodes[0].http.get("/banned").json()["data"] == [], 2)
    welcome = client(nodes[0], "villain")
    assert welcome.connack == 0


def test_a_node_that_does_not_answer_is_named_never_silently_left_out(tmp_path, nats_cluster):
    import signal

    from tests.processes import BIN, Process

    # heard from lately (a long heartbeat), but frozen: it cannot answer
    asker = start_node(tmp_path, nats_cluster, "asker", 0, MQTTGATE_CLUSTER__HEARTBEAT_INTERVAL="10",
                       MQTTGATE_CLUSTER__REQUEST_TIMEOUT="0.5")
    servers = "".join(f"\n    - {url}" for url in nats_cluster.urls)
    frozen = Process([BIN / "mqttgate", "serve", "--config", "{config}"], tmp_path,
                     config=f"cluster:\n  node: frozen\n  replicas: 3\n  heartbeat_interval: 10\n"
                            f"  servers:{servers}\n")
    try:
        frozen.wait_ready(90)
        assert wait_for(lambda: "frozen" in [n["node"] for n in asker.http.get("/nodes").json()], 10)
        frozen.proc.send_signal(signal.SIGSTOP)
        page = asker.http.get("/clients").json()
        assert page["meta"]["missing_nodes"] == ["frozen"] and "count" not in page["meta"]
        lost = asker.http.get("/clients/nobody")
        assert lost.status_code == 503 and "frozen" in lost.json()["message"]
        assert asker.http.get("/nodes").status_code == 200
    finally:
        frozen.proc.send_signal(signal.SIGCONT)
        frozen.close()
        asker.stop()
