"""Prometheus, nodes and listeners against the real broker with real MQTT clients, and as users start mqttgate."""

from __future__ import annotations

import shutil
import socket
import subprocess

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import wait_for
from tests.processes import GUNICORN, SERVE


def prometheus(http: httpx.Client) -> dict[str, float]:
    """Every sample of the scrape that is unlabelled or labelled with the node alone, parsed by
    prometheus_client's own parser."""
    response = http.get("/prometheus/stats")
    assert response.status_code == 200, response.text
    node = http.get("/status").json()["node"]
    return {sample.name: sample.value for family in text_string_to_metric_families(response.text)
            for sample in family.samples if sample.labels in ({}, {"node": node})}


def prometheus_name(stat: str) -> str:
    """A /stats name as scraped: `connections.count` is `mqttgate_connections` (promtool: no gauge `_count`)."""
    return "mqttgate_" + stat.removesuffix(".count").replace(".", "_")


def test_prometheus_says_what_metrics_and_stats_say(gate, mqtt_client):
    subscriber = mqtt_client("prom-sub")
    subscriber.subscribe("p/#", 1)
    publisher = mqtt_client("prom-pub")
    for n in range(3):
        publisher.client.publish(f"p/{n}", b"x", qos=1, retain=n == 0).wait_for_publish(5)
    assert wait_for(lambda: len(subscriber.messages) == 3)
    assert wait_for(lambda: gate.http.get("/clients/prom-sub").json()["recv_pkt"] == 5)  # its 3 PUBACKs too

    metrics = gate.http.get("/metrics", params={"aggregate": "true"}).json()
    stats = gate.http.get("/stats", params={"aggregate": "true"}).json()
    scraped = prometheus(gate.http)
    assert {name: scraped[f"mqttgate_{name.replace('.', '_')}_total"] for name in metrics} == metrics
    assert {name: scraped[prometheus_name(name)] for name in stats} == stats
    assert metrics["messages.sent"] == 3 and stats["retained.count"] == 1 and stats["live_connections.count"] == 2


def test_listeners_count_their_connections(gate, mqtt_client):
    mqtt_client("one")
    mqtt_client("two")
    with socket.create_connection(("127.0.0.1", gate.mqtt_port)):  # open, no CONNECT yet: a connection all the same
        assert wait_for(lambda: gate.http.get("/listeners").json()[0]["current_connections"] == 3)
    assert wait_for(lambda: gate.http.get("/listeners").json()[0]["current_connections"] == 2)
    listeners = gate.http.get("/listeners").json()
    assert listeners[0] == {"id": "tcp:default", "name": "default", "type": "tcp",
                            "bind": f"127.0.0.1:{gate.mqtt_port}", "running": True,
                            "current_connections": 2, "max_connections": 0}
    assert listeners[1:] == [{"id": "http:http", "name": "http", "type": "http",
                              "bind": gate.base_url.removeprefix("http://"), "running": True}]


def test_the_node_shows_its_host_connections_and_listeners(gate, mqtt_client):
    mqtt_client("here")
    persistent = mqtt_client("away", clean_session=False)
    persistent.close()
    assert wait_for(lambda: gate.http.get("/clients/away").json()["connected"] is False)
    (node,) = gate.http.get("/nodes").json()
    assert node["node"] == gate.http.get("/status").json()["node"]
    assert gate.http.get(f"/nodes/{node['node']}").status_code == 200
    assert (node["connections"], node["live_connections"]) == (2, 1)
    assert node["listeners"] == gate.http.get("/listeners").json()
    assert 0 < node["memory_used"] <= node["memory_total"] and node["process_memory"] > 0
    assert node["max_fds"] > 0 and node["uptime"] >= 0 and node["python_version"].count(".") == 2


@pytest.mark.parametrize(("command", "name"), [(SERVE, "http-default"), (GUNICORN, "http")], ids=["serve", "gunicorn"])
def test_rest_listeners_are_those_served(started, command, name):
    process = started(command).wait_ready()
    listeners = httpx.get(f"{process.url}/listeners", auth=process.api_auth(), timeout=5).json()
    assert [(listener["id"], listener["bind"]) for listener in listeners] == [
        ("tcp:default", f"127.0.0.1:{process.mqtt_port}"), (f"http:{name}", f"127.0.0.1:{process.http_port}")]


def test_the_scrape_carries_build_info_and_the_node(gate):
    scrape = gate.http.get("/prometheus/stats").text
    node = gate.http.get("/status").json()["node"]
    families = {family.name: family for family in text_string_to_metric_families(scrape)}
    (build,) = families["mqttgate_build_info"].samples
    assert build.value == 1 and build.labels["node"] == node and build.labels["version"]
    assert families["mqttgate_connections"].type == "gauge"
    assert families["mqttgate_connections"].samples[0].labels == {"node": node}
    assert families["mqttgate_messages_received"].samples[0].labels == {"node": node}
    assert not [name for name, family in families.items() if family.type == "gauge" and name.endswith("_count")]


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed (Debian: prometheus)")
def test_the_scrape_passes_promtool(gate):
    scrape = gate.http.get("/prometheus/stats").text
    checked = subprocess.run(["promtool", "check", "metrics"], input=scrape, capture_output=True, text=True,
                             timeout=30)
    assert checked.returncode == 0, checked.stdout + checked.stderr
