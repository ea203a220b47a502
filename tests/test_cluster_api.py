"""The API across a cluster: subscriptions, topics, stats, metrics and listeners of every node, from any node.

A real NATS cluster of three servers with JetStream, two mqttgate nodes, paho clients on each.
"""

from __future__ import annotations

import re
import signal
import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import MqttClient, wait_for
from tests.live import LiveGate
from tests.test_cluster import nats_cluster, start_node  # noqa: F401 (a fixture)

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def nodes(tmp_path_factory, nats_cluster) -> Iterator[list[LiveGate]]:  # noqa: F811
    """Two nodes (named in the order of their index), on different NATS servers."""
    tmp_path = tmp_path_factory.mktemp("nodes")
    tag = uuid.uuid4().hex[:6]
    started: list[LiveGate] = []
    try:
        for i in range(2):
            started.append(start_node(tmp_path, nats_cluster, f"api{i + 1}-{tag}", i))
        yield started
    finally:
        for node in started:
            node.stop()


def name(node: LiveGate) -> str:
    return node.config.cluster.node


@pytest.fixture(scope="module")
def subscribed(nodes) -> Iterator[dict[str, MqttClient]]:
    """On the first node s0 holds span/a and span/shared; on the second s1 holds span/b and span/shared."""
    made = {"s0": MqttClient(nodes[0].mqtt_port, "s0").connect(), "s1": MqttClient(nodes[1].mqtt_port, "s1").connect()}
    try:
        made["s0"].subscribe("span/a", 1)
        made["s0"].subscribe("span/shared", 0)
        made["s1"].subscribe("span/b", 2)
        made["s1"].subscribe("span/shared", 1)
        yield made
    finally:
        for c in made.values():
            c.close()


def test_subscriptions_span_the_cluster_in_equal_pages_from_every_node(nodes, subscribed):
    expected = [("s0", "span/a", 1, name(nodes[0])), ("s0", "span/shared", 0, name(nodes[0])),
                ("s1", "span/b", 2, name(nodes[1])), ("s1", "span/shared", 1, name(nodes[1]))]
    pages = []
    for node in nodes:
        first = node.http.get("/subscriptions", params={"limit": 3}).json()
        second = node.http.get("/subscriptions", params={"limit": 3, "page": 2}).json()
        assert first["meta"] == {"page": 1, "limit": 3, "hasnext": True, "count": 4}
        assert second["meta"] == {"page": 2, "limit": 3, "hasnext": False, "count": 4}
        listed = [(s["clientid"], s["topic"], s["qos"], s["node"]) for s in first["data"] + second["data"]]
        assert sorted(listed) == expected
        pages.append(listed)
    assert pages[0] == pages[1]
    # nodes by name, each node's in its own order
    assert [s[3] for s in pages[0]] == [name(nodes[0])] * 2 + [name(nodes[1])] * 2
    on_second = nodes[0].http.get("/subscriptions", params={"node": name(nodes[1])}).json()
    assert [(s["clientid"], s["node"]) for s in on_second["data"]] == [("s1", name(nodes[1]))] * 2
    shared = nodes[1].http.get("/subscriptions", params={"topic": "span/shared"}).json()["data"]
    assert [(s["clientid"], s["node"]) for s in shared] == [("s0", name(nodes[0])), ("s1", name(nodes[1]))]
    matching = nodes[0].http.get("/subscriptions", params={"match_topic": "span/b", "qos": 2}).json()["data"]
    assert [(s["clientid"], s["topic"]) for s in matching] == [("s1", "span/b")]
    # the client's own subscriptions name the node that holds it, asked from the other
    held = nodes[0].http.get("/clients/s1/subscriptions").json()
    assert {s["node"] for s in held} == {name(nodes[1])}
    nobody = nodes[0].http.get("/subscriptions", params={"node": "nobody@nowhere"}).json()
    assert nobody["data"] == [] and nobody["meta"]["hasnext"] is False


def test_topics_list_one_route_per_filter_and_node_from_every_node(nodes, subscribed):
    expected = [("span/a", name(nodes[0]), 1), ("span/shared", name(nodes[0]), 1),
                ("span/b", name(nodes[1]), 1), ("span/shared", name(nodes[1]), 1)]
    for node in nodes:
        first = node.http.get("/topics", params={"limit": 2}).json()
        rest = node.http.get("/topics", params={"limit": 2, "page": 2}).json()
        assert first["meta"]["hasnext"] is True and rest["meta"]["hasnext"] is False
        assert first["meta"]["count"] == 4
        routes = [(t["topic"], t["node"], t["subscriptions_cnt"]) for t in first["data"] + rest["data"]]
        assert routes == expected
    only = nodes[1].http.get("/topics", params={"node": name(nodes[0])}).json()["data"]
    assert [t["topic"] for t in only] == ["span/a", "span/shared"]
    matching = nodes[0].http.get("/topics", params={"topic": "span/b"}).json()["data"]
    assert [(t["topic"], t["node"]) for t in matching] == [("span/b", name(nodes[1]))]


def test_a_topic_gives_its_subscribers_on_every_node(nodes, subscribed):
    for node in nodes:
        shared = node.http.get("/topics/span%2Fshared")
        assert shared.status_code == 200 and "missing-nodes" not in shared.headers
        body = shared.json()
        assert body["node"] == name(node)  # this node holds it
        assert sorted((s["clientid"], s["qos"], s["node"]) for s in body["subscriptions"]) == [
            ("s0", 0, name(nodes[0])), ("s1", 1, name(nodes[1]))]
    elsewhere = nodes[0].http.get("/topics/span%2Fb").json()
    assert elsewhere["node"] == name(nodes[1])
    assert [(s["clientid"], s["node"]) for s in elsewhere["subscriptions"]] == [("s1", name(nodes[1]))]
    missing = nodes[1].http.get("/topics/span%2Fnone")
    assert missing.status_code == 404 and missing.json()["code"] == "TOPIC_NOT_FOUND"


def summed(entries: list[dict]) -> dict:
    total: dict = {}
    for entry in entries:
        for key, value in entry.items():
            if key != "node":
                total[key] = total.get(key, 0) + value
    return total


@pytest.mark.parametrize("what", ["stats", "metrics"])
def test_stats_and_metrics_per_node_and_aggregated_as_emqx_sums_them(nodes, subscribed, what):
    publisher = MqttClient(nodes[1].mqtt_port, "retainer").connect()
    try:
        publisher.client.publish("span/kept", b"1", qos=1, retain=True).wait_for_publish(5)
        assert wait_for(lambda: all(n.http.get("/mqtt/retainer/message/span%2Fkept").status_code == 200
                                    for n in nodes), 5)

        def consistent() -> bool:
            listed = nodes[0].http.get(f"/{what}").json()
            aggregated = nodes[1].http.get(f"/{what}", params={"aggregate": "true"}).json()
            again = nodes[0].http.get(f"/{what}").json()
            expected = summed(listed)
            if what == "stats":  # every node holds every retained message: the cluster's are one node's
                expected.update({k: v for k, v in listed[0].items() if k.startswith("retained.")})
            return listed == again and aggregated == expected and [e["node"] for e in listed] == [
                name(nodes[0]), name(nodes[1])]
        assert wait_for(consistent, 10, 0.2)
        if what == "stats":
            listed = nodes[0].http.get("/stats").json()
            assert [e["retained.count"] for e in listed] == [1, 1]
            assert nodes[0].http.get("/stats", params={"aggregate": "true"}).json()["retained.count"] == 1
            assert [e["subscriptions.count"] for e in listed] == [2, 2]

        def per_node_matches() -> bool:
            listed = {e.pop("node"): e for e in nodes[1].http.get(f"/{what}").json()}
            return all(nodes[1].http.get(f"/nodes/{n}/{what}").json() == listed[n] for n in listed)
        assert wait_for(per_node_matches, 10, 0.2)
    finally:
        publisher.client.publish("span/kept", b"", qos=1, retain=True).wait_for_publish(5)
        publisher.close()


@pytest.mark.parametrize("path", ["/nodes/nobody@nowhere/stats", "/nodes/nobody@nowhere/metrics"])
def test_an_unknown_node_is_not_found(nodes, path):
    answer = nodes[0].http.get(path)
    assert answer.status_code == 404 and answer.json()["code"] == "NOT_FOUND" and answer.json()["message"]


@pytest.mark.parametrize("path", ["/stats", "/metrics"])
def test_a_bad_aggregate_is_a_bad_request(nodes, path):
    answer = nodes[0].http.get(path, params={"aggregate": "maybe"})
    assert answer.status_code == 400 and answer.json()["code"] == "BAD_REQUEST" and answer.json()["message"]


def test_each_nodes_prometheus_scrape_is_its_own(nodes, subscribed):
    for node in nodes:
        text = node.http.get("/prometheus/stats").text
        labels = set(re.findall(r'^mqttgate_\w+\{node="([^"]+)"', text, re.M))
        assert labels == {name(node)}
        scraped = int(float(re.search(r"^mqttgate_subscriptions\{[^}]*\} (\S+)$", text, re.M).group(1)))
        assert scraped == node.http.get(f"/nodes/{name(node)}/stats").json()["subscriptions.count"] == 2


def test_listeners_show_every_nodes_status(nodes, subscribed):
    for node in nodes:
        listeners = node.http.get("/listeners").json()
        default = next(x for x in listeners if x["id"] == "tcp:default")
        assert default["number"] == 2 and default["running"] is True
        statuses = default["node_status"]
        assert [s["node"] for s in statuses] == [name(nodes[0]), name(nodes[1])]
        assert [s["bind"].rsplit(":", 1)[1] for s in statuses] == [str(nodes[0].mqtt_port), str(nodes[1].mqtt_port)]
        assert default["current_connections"] == sum(s["status"]["current_connections"] for s in statuses)
        assert all(s["status"]["current_connections"] >= 1 for s in statuses)  # s0, s1
        rest = [x for x in listeners if x["type"] == "http"]
        assert rest and all(x["node_status"][0]["node"] == name(node) for x in rest)


def test_a_node_that_does_not_answer_is_named_in_every_cluster_wide_answer(tmp_path, nats_cluster):  # noqa: F811
    from tests.processes import BIN, Process

    asker = start_node(tmp_path, nats_cluster, "asker", 0, MQTTGATE_CLUSTER__HEARTBEAT_INTERVAL="10",
                       MQTTGATE_CLUSTER__REQUEST_TIMEOUT="0.5")
    servers = "".join(f"\n    - {url}" for url in nats_cluster.urls)
    frozen = Process([BIN / "mqttgate", "serve", "--config", "{config}"], tmp_path,
                     config=f"cluster:\n  node: frozen\n  replicas: 3\n  heartbeat_interval: 10\n"
                            f"  servers:{servers}\n")
    held = None
    try:
        frozen.wait_ready(90)
        held = MqttClient(frozen.mqtt_port, "on-frozen").connect()
        held.subscribe("frozen/t", 1)
        assert wait_for(lambda: "frozen" in [t["node"] for t in asker.http.get("/topics").json()["data"]], 10)
        frozen.proc.send_signal(signal.SIGSTOP)
        for path in ("/subscriptions", "/topics"):
            page = asker.http.get(path)
            assert page.status_code == 200, page.text
            assert "frozen" in page.json()["meta"]["missing_nodes"] and "count" not in page.json()["meta"]
        for path, params in (("/stats", {}), ("/stats", {"aggregate": "true"}), ("/metrics", {}),
                             ("/metrics", {"aggregate": "true"}), ("/listeners", {}), ("/nodes", {})):
            answer = asker.http.get(path, params=params)
            assert answer.status_code == 200, answer.text
            assert "frozen" in answer.headers["missing-nodes"].split(", "), (path, params)
        assert "frozen" not in [e["node"] for e in asker.http.get("/stats").json()]
        for path in ("/nodes/frozen/stats", "/nodes/frozen/metrics", "/topics/frozen%2Ft"):
            answer = asker.http.get(path)
            assert answer.status_code == 503 and "frozen" in answer.json()["message"], path
    finally:
        frozen.proc.send_signal(signal.SIGCONT)
        if held is not None:
            held.client.loop_stop()
        frozen.close()
        asker.stop()
