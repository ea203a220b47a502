"""The README's "Running a cluster" walkthrough, as it is written: its YAML, two nodes, mosquitto clients."""

from __future__ import annotations

import re
import signal
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import wait_for
from tests.nats_cluster import NatsCluster
from tests.processes import BIN, Process

README = Path(__file__).resolve().parent.parent / "README.md"

pytestmark = pytest.mark.timeout(120)


def walkthrough_yaml() -> dict:
    section = README.read_text().split("## Running a cluster", 1)[1].split("\n## ", 1)[0]
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", section, re.S) if "cluster:" in b]
    return yaml.safe_load(block)


def test_the_readme_cluster_walkthrough_works(tmp_path):
    nats = NatsCluster(tmp_path / "nats", size=1)
    subscriber = None
    nodes: list[Process] = []
    try:
        node_config = walkthrough_yaml()
        assert node_config["cluster"]["servers"] == ["nats://127.0.0.1:4222"]
        for i in (1, 2):
            config = yaml.safe_load(yaml.safe_dump(node_config))
            home = tmp_path / f"node{i}"
            home.mkdir()
            config["data_dir"] = str(home / "data")
            # the README's ports, here the ones the system gives (each node reports what it bound)
            config["mqtt"]["listeners"]["default"]["bind"] = "127.0.0.1:0"
            config["rest_api"]["listeners"][0]["port"] = 0
            config["cluster"]["node"] = f"node{i}@127.0.0.1"
            config["cluster"]["servers"] = nats.urls  # the README's 4222, on a port of its own here
            file = home / f"node{i}.yaml"
            file.write_text(yaml.safe_dump(config))
            # as the README says: node 2 once node 1 is up, so that node 1 makes the first API key
            nodes.append(Process([BIN / "mqttgate", "serve", "--config", file], home))
            nodes[-1].wait_ready(60)
        one, two = nodes
        # the API keys are the cluster's: node 2 made none, printed none, and node 1's opens both
        assert not (two.data_dir / "initial_api_key").exists()
        auth = one.api_auth()
        assert wait_for(lambda: [n["node"] for n in httpx.get(f"{one.url}/nodes", auth=auth, timeout=10).json()]
                        == ["node1@127.0.0.1", "node2@127.0.0.1"], 10)
        subscriber = subprocess.Popen(["mosquitto_sub", "-p", str(two.mqtt_port), "-t", "room/+/temp", "-v",
                                       "-C", "1", "-W", "30", "-i", "readme-sub"], stdout=subprocess.PIPE, text=True)

        def subscribed() -> bool:
            clients = httpx.get(f"{two.url}/clients", auth=auth, timeout=10).json()
            return any(c["clientid"] == "readme-sub" and c["subscriptions_cnt"] == 1 for c in clients["data"])
        assert wait_for(subscribed, 10)

        def published() -> bool:
            subprocess.run(["mosquitto_pub", "-p", str(one.mqtt_port), "-t", "room/1/temp", "-m", "21.5"], check=True)
            return subscriber.poll() is not None or bool(wait_for(lambda: subscriber.poll() is not None, 0.5))
        assert wait_for(published, 15, 0)
        assert subscriber.communicate(timeout=5)[0].strip() == "room/1/temp 21.5"
        clients = httpx.get(f"{two.url}/clients", auth=auth, timeout=10).json()
        assert "meta" in clients and "missing_nodes" not in clients["meta"]
        for node in nodes:
            node.stop(signal.SIGTERM, timeout=15)
        assert "created the first API key" in one.output() and "API key" not in two.output()
    finally:
        for node in nodes:
            node.close()
        if subscriber is not None and subscriber.poll() is None:
            subscriber.kill()
            subscriber.wait()
        nats.close()
