"""The README's "Running a cluster" walkthrough, as it is written: its YAML, two nodes, mosquitto clients."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import wait_for
from tests.nats_cluster import NatsCluster
from tests.processes import free_port

README = Path(__file__).resolve().parent.parent / "README.md"
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.timeout(120)


def walkthrough_yaml() -> dict:
    section = README.read_text().split("## Running a cluster", 1)[1].split("\n## ", 1)[0]
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", section, re.S) if "cluster:" in b]
    return yaml.safe_load(block)


def test_the_readme_cluster_walkthrough_works(tmp_path):
    nats = NatsCluster(tmp_path / "nats", size=1)
    processes: list[subprocess.Popen] = []
    try:
        node_config = walkthrough_yaml()
        assert node_config["cluster"]["servers"] == ["nats://127.0.0.1:4222"]
        ports = []
        auth = None
        for i in (1, 2):
            mqtt_port, http_port = free_port(), free_port()
            ports.append((mqtt_port, http_port))
            config = yaml.safe_load(yaml.safe_dump(node_config))
            config["data_dir"] = str(tmp_path / f"data{i}")
            config["mqtt"]["listeners"]["default"]["bind"] = f"127.0.0.1:{mqtt_port}"
            config["rest_api"]["listeners"][0]["port"] = http_port
            config["cluster"]["node"] = f"node{i}@127.0.0.1"
            config["cluster"]["servers"] = nats.urls  # the README's 4222, on a free port here
            file = tmp_path / f"node{i}.yaml"
            file.write_text(yaml.safe_dump(config))
            processes.append(subprocess.Popen([BIN / "mqttgate", "serve", "--config", str(file)],
                                              stdout=(tmp_path / f"node{i}.out").open("w"),
                                              stderr=subprocess.DEVNULL,
                                              env={k: v for k, v in os.environ.items()
                                                   if not k.startswith("MQTTGATE_")}))
            # as the README says: node 2 once node 1 is up, so that node 1 makes the first API key
            url = f"http://127.0.0.1:{http_port}/api/v5/status"
            assert wait_for(lambda url=url: _answers(url), 30), f"node {i} did not start"
            if i == 1:
                auth = tuple((tmp_path / "data1" / "initial_api_key").read_text().strip().split(":"))
        # the API keys are the cluster's: node 2 made none, printed none, and node 1's opens both
        assert not (tmp_path / "data2" / "initial_api_key").exists()
        keys = [auth, auth]
        nodes = httpx.get(f"http://127.0.0.1:{ports[0][1]}/api/v5/nodes", auth=keys[0], timeout=10).json()
        assert wait_for(lambda: [n["node"] for n in httpx.get(
            f"http://127.0.0.1:{ports[0][1]}/api/v5/nodes", auth=keys[1], timeout=10).json()]
            == ["node1@127.0.0.1", "node2@127.0.0.1"], 10), nodes
        subscriber = subprocess.Popen(["mosquitto_sub", "-p", str(ports[1][0]), "-t", "room/+/temp", "-v",
                                       "-C", "1", "-W", "30", "-i", "readme-sub"], stdout=subprocess.PIPE, text=True)
        processes.append(subscriber)

        def subscribed() -> bool:
            clients = httpx.get(f"http://127.0.0.1:{ports[1][1]}/api/v5/clients", auth=keys[1], timeout=10).json()
            return any(c["clientid"] == "readme-sub" and c["subscriptions_cnt"] == 1 for c in clients["data"])
        assert wait_for(subscribed, 10)

        def published() -> bool:
            subprocess.run(["mosquitto_pub", "-p", str(ports[0][0]), "-t", "room/1/temp", "-m", "21.5"], check=True)
            return subscriber.poll() is not None or bool(wait_for(lambda: subscriber.poll() is not None, 0.5))
        assert wait_for(published, 15, 0)
        assert subscriber.communicate(timeout=5)[0].strip() == "room/1/temp 21.5"
        clients = httpx.get(f"http://127.0.0.1:{ports[1][1]}/api/v5/clients", auth=keys[1], timeout=10).json()
        assert "meta" in clients and "missing_nodes" not in clients["meta"]
        for process in processes[:2]:
            process.terminate()
            process.wait(15)
        outputs = [(tmp_path / f"node{i}.out").read_text() for i in (1, 2)]
        assert "created the first API key" in outputs[0] and "API key" not in outputs[1], outputs
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        nats.close()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
