"""`gunicorn -w 2` with a cluster configured: each worker a node, on shared MQTT ports, in a fixed slot."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator

import httpx
import psutil
import pytest

from tests.conftest import MqttClient, wait_for
from tests.nats_cluster import NatsServer
from tests.processes import GUNICORN, Process, free_port
from tests.rawmqtt import PUBACK, RawClient

pytestmark = pytest.mark.timeout(180)

_W = GUNICORN.index("-w")
WORKERS = [*GUNICORN[:_W], "-w", "2", *GUNICORN[_W + 2:]]  # the README's command, with two workers
NODES = ["w@test-1", "w@test-2"]


@pytest.fixture
def nats(tmp_path_factory) -> Iterator[NatsServer]:
    # one per test: the API keys are the cluster's, and the first worker makes the first key (and its
    # file in data_dir) only on a cluster that has none yet
    server = NatsServer(tmp_path_factory.mktemp("nats"), "n1", [], cluster=False)
    yield server
    server.kill()


@pytest.fixture
def workers(tmp_path, nats) -> Iterator[Process]:
    env = {"MQTTGATE_CLUSTER__SERVERS__0": nats.url, "MQTTGATE_CLUSTER__NODE": "w@test",
           "MQTTGATE_CLUSTER__HEARTBEAT_INTERVAL": "0.5",
           # one port for both workers (SO_REUSEPORT): port 0 would give each its own
           "MQTTGATE_MQTT__LISTENERS__DEFAULT__BIND": f"127.0.0.1:{free_port()}"}
    process = Process(WORKERS, tmp_path, env=env).wait_ready()
    try:
        assert wait_for(lambda: node_names(process) == NODES, 30), process.output()
        yield process
    finally:
        process.close()


def api(process: Process, path: str, **params) -> httpx.Response:
    return httpx.get(f"{process.url}{path}", auth=process.api_auth(), params=params, timeout=5)


def node_names(process: Process) -> list[str]:
    try:
        return sorted(n["node"] for n in api(process, "/nodes").json())
    except (httpx.HTTPError, ValueError, TypeError):
        return []


def node_of(process: Process, clientid: str) -> str | None:
    answer = api(process, f"/clients/{clientid}")
    return answer.json()["node"] if answer.status_code == 200 else None


def worker_of(process: Process, node: str) -> psutil.Process:
    """The worker running `node`: the one holding data_dir/node-K's lock."""
    lock = str(process.data_dir / f"node-{node.rsplit('-', 1)[1]}" / "mqttgate.lock")
    for worker in process.descendants():
        if lock in [f.path for f in worker.open_files()]:
            return worker
    raise AssertionError(f"no worker holds {lock}")


def test_each_worker_is_a_node_and_messages_cross_between_them(workers):
    # both answer the whole API on gunicorn's one bind, with the one first API key
    for _ in range(6):
        assert node_names(workers) == NODES
    assert sorted(p.name for p in workers.data_dir.iterdir() if p.is_dir() and p.name.startswith("node-")) == [
        "node-1", "node-2"]

    clients: dict[str, MqttClient] = {}
    try:
        for n in range(40):  # the kernel spreads connections over the workers' sockets
            client = MqttClient(workers.mqtt_port, f"c{n}").connect()
            assert wait_for(lambda n=n: node_of(workers, f"c{n}") is not None, 10)
            clients.setdefault(node_of(workers, f"c{n}"), client)
            if client is not clients[node_of(workers, f"c{n}")]:
                client.close()
            if len(clients) == 2:
                break
        assert sorted(clients) == NODES, "every connection landed on one worker"
        subscriber, publisher = clients[NODES[0]], clients[NODES[1]]
        subscriber.subscribe("across/#", 1)

        def crossed() -> bool:
            publisher.client.publish("across/probe", b"probe", qos=1)
            return wait_for(lambda: subscriber.messages, 0.5)
        assert wait_for(crossed, 10, 0)
        subscriber.messages.clear()
        for i in range(5):
            publisher.client.publish(f"across/{i}", str(i).encode(), qos=1)
        assert wait_for(lambda: len(subscriber.messages) >= 5, 10)
        wait_for(lambda: False, 0.5)
        assert [m.payload for m in subscriber.messages] == [str(i).encode() for i in range(5)]
    finally:
        for client in clients.values():
            client.close()

    running = workers.descendants()
    assert len(running) == 2
    elapsed = workers.stop(signal.SIGTERM, timeout=20)  # fails if a worker outlives the master
    assert workers.proc.returncode == 0
    print(f"gunicorn -w 2 with a cluster stopped by SIGTERM in {elapsed:.2f}s")


def test_a_killed_worker_comes_back_as_the_same_node_with_its_sessions(workers):
    sub = RawClient(workers.mqtt_port)
    assert sub.connect("keeper", clean=False) == (False, 0)
    assert sub.subscribe("keep/#", 1) == 1
    assert wait_for(lambda: node_of(workers, "keeper") is not None, 10)
    node = node_of(workers, "keeper")
    sub.disconnect()
    for i in range(3):
        answer = httpx.post(f"{workers.url}/publish", auth=workers.api_auth(), timeout=5,
                            json={"topic": f"keep/{i}", "payload": str(i), "qos": 1})
        assert answer.status_code in (200, 202), answer.text  # 202: no subscriber on the worker asked
    assert wait_for(lambda: api(workers, "/clients/keeper").json().get("mqueue_len") == 3, 10)

    victim = worker_of(workers, node)
    victim.kill()
    victim.wait(10)
    # gunicorn starts a worker in its place; it takes the free slot: the same name and data dir

    def back() -> bool:
        try:
            return worker_of(workers, node).pid != victim.pid and api(workers, f"/nodes/{node}").status_code == 200
        except (AssertionError, psutil.Error, httpx.HTTPError):
            return False
    assert wait_for(back, 60), workers.output()
    assert wait_for(lambda: api(workers, "/clients/keeper").json().get("node") == node, 15)
    client = api(workers, "/clients/keeper").json()
    assert (client["connected"], client["mqueue_len"]) == (False, 3)
    assert node_names(workers) == NODES

    again = RawClient(workers.mqtt_port)  # whichever worker it lands on, the session comes along
    assert again.connect("keeper", clean=False) == (True, 0)
    got = []
    for _ in range(3):
        message = again.read_publish()
        again.ack(PUBACK, message.packet_id)
        got.append(message.payload)
    assert got == [b"0", b"1", b"2"]
    assert again.nothing_within(0.5)
    again.disconnect()


def test_a_worker_slot_is_taken_once(tmp_path):
    """Two runtimes asking for the slots of one data_dir get different ones; a third waits, then gives up."""
    import asyncio
    import os

    from mqttgate.broker.errors import BrokerOwned
    from mqttgate.runtime import take_slot

    async def run() -> None:
        first, first_fd = await take_slot(tmp_path, 2)
        second, second_fd = await take_slot(tmp_path, 2)
        assert (first, second) == (1, 2)
        started = time.monotonic()
        with pytest.raises(BrokerOwned, match="all 2 worker slots"):
            await take_slot(tmp_path, 2, wait=0.3)
        assert time.monotonic() - started >= 0.3
        os.close(first_fd)
        again, again_fd = await take_slot(tmp_path, 2)
        assert again == 1  # the slot freed is taken again
        os.close(again_fd)
        os.close(second_fd)

    asyncio.run(run())
