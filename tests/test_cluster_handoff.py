"""A persistent session moves with its client between nodes: subscriptions, in-flight window and queue."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import wait_for
from tests.live import LiveGate, gate_config, start_gate
from tests.nats_cluster import NatsServer
from tests.rawmqtt import PUBACK, PUBCOMP, PUBREC, PUBREL, RawClient

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def nats(tmp_path) -> Iterator[NatsServer]:
    # one per test: the first node of a new cluster makes the first API key, the others share it
    server = NatsServer(tmp_path / "nats", "n1", [], cluster=False)
    yield server
    server.kill()


@pytest.fixture
def nodes(tmp_path, nats) -> Iterator[list[LiveGate]]:
    started: list[LiveGate] = []
    try:
        for i in (1, 2):
            key = (started[0].api_key, started[0].api_secret) if started else None
            started.append(start_gate(gate_config(
                tmp_path / f"node{i}", MQTTGATE_CLUSTER__NODE=f"n{i}-{uuid.uuid4().hex[:6]}",
                MQTTGATE_CLUSTER__SERVERS__0=nats.url, MQTTGATE_CLUSTER__HEARTBEAT_INTERVAL="0.5"), credentials=key))
        assert wait_for(lambda: all(len(n.http.get("/nodes").json()) == 2 for n in started), 10)
        yield started
    finally:
        for node in started:
            node.stop()


def offline_on(node: LiveGate, clientid: str) -> bool:
    answer = node.http.get(f"/clients/{clientid}")
    return answer.status_code == 200 and answer.json()["connected"] is False


def listed_on_its_own(node: LiveGate, clientid: str) -> bool:
    page = node.http.get("/clients", params={"node": node.config.cluster.node}).json()["data"]
    return clientid in [c["clientid"] for c in page]


def publish(node: LiveGate, topic: str, payloads: list[str]) -> None:
    for payload in payloads:
        node.http.post("/publish", json={"topic": topic, "payload": payload, "qos": 1}).raise_for_status()


def test_a_persistent_session_follows_its_client_to_another_node(nodes):
    one, two = nodes
    sub = RawClient(one.mqtt_port)
    assert sub.connect("mover", clean=False) == (False, 0)
    assert sub.subscribe("move/#", 1) == 1
    publish(two, "move/a", ["0"])  # from the other node: its NATS interest is in force
    first = sub.read_publish()
    assert (first.payload, first.dup) == (b"0", False)
    sub.close()  # no PUBACK: in flight
    assert wait_for(lambda: offline_on(one, "mover"))
    publish(one, "move/b", ["1", "2"])
    publish(two, "move/c", ["3", "4"])
    assert wait_for(lambda: one.http.get("/clients/mover").json()["mqueue_len"] == 4, 10)

    again = RawClient(two.mqtt_port)
    assert again.connect("mover", clean=False) == (True, 0)
    resent = again.read_publish()
    assert (resent.payload, resent.dup, resent.packet_id) == (b"0", True, first.packet_id)
    got = [resent]
    for _ in range(4):
        got.append(again.read_publish())
    assert [m.payload for m in got] == [b"0", b"1", b"2", b"3", b"4"]
    assert not any(m.dup for m in got[1:])
    for message in got:
        again.ack(PUBACK, message.packet_id)
    assert again.nothing_within(0.5)  # nothing twice

    assert not listed_on_its_own(one, "mover")
    assert listed_on_its_own(two, "mover")
    # the subscription came along: a publish on either node reaches it, once
    publish(one, "move/d", ["5"])
    publish(two, "move/e", ["6"])
    later = [again.read_publish(), again.read_publish()]
    assert sorted(m.payload for m in later) == [b"5", b"6"]
    assert again.nothing_within(0.5)
    again.disconnect()


def test_a_clean_connect_on_another_node_discards_the_session_everywhere(nodes):
    one, two = nodes
    sub = RawClient(one.mqtt_port)
    sub.connect("cleaner", clean=False)
    sub.subscribe("clean/#", 1)
    sub.disconnect()
    assert wait_for(lambda: offline_on(one, "cleaner"))
    publish(one, "clean/x", ["lost on purpose"])

    fresh = RawClient(two.mqtt_port)
    assert fresh.connect("cleaner", clean=True) == (False, 0)
    assert fresh.nothing_within(0.5)
    assert not listed_on_its_own(one, "cleaner")
    fresh.disconnect()
    again = RawClient(one.mqtt_port)
    assert again.connect("cleaner", clean=False) == (False, 0)
    again.disconnect()


def test_messages_published_during_the_handoff_arrive_once_each_and_in_order(nodes):
    """Publishers on both nodes go on while the client moves: none lost, none twice, each one's in order."""
    one, two = nodes
    sub = RawClient(one.mqtt_port)
    sub.connect("busy", clean=False)
    sub.subscribe("flow/#", 1)
    sub.disconnect()
    assert wait_for(lambda: offline_on(one, "busy"))
    stop = threading.Event()
    sent: dict[str, list[bytes]] = {"a": [], "b": []}

    def publisher(node: LiveGate, name: str) -> None:
        with httpx.Client(base_url=node.http.base_url, headers=node.auth_header, timeout=10) as http:
            n = 0
            while not stop.is_set() or n < 10:
                payload = f"{name}{n}"
                answer = http.post("/publish", json={"topic": f"flow/{name}", "payload": payload, "qos": 1})
                assert answer.status_code in (200, 202), answer.text
                sent[name].append(payload.encode())
                n += 1
    threads = [threading.Thread(target=publisher, args=(node, name)) for node, name in ((one, "a"), (two, "b"))]
    for thread in threads:
        thread.start()
    try:
        assert wait_for(lambda: all(len(v) >= 10 for v in sent.values()), 20)
        again = RawClient(two.mqtt_port)
        assert again.connect("busy", clean=False) == (True, 0)
        wait_for(lambda: False, 1.0)  # they go on after the move
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    got: dict[str, list[bytes]] = {"a": [], "b": []}
    try:
        while True:
            message = again.read_publish(timeout=2.0)
            again.ack(PUBACK, message.packet_id)
            got[message.topic.rsplit("/", 1)[1]].append(message.payload)
    except TimeoutError:
        pass
    again.disconnect()
    assert got == sent, {name: (len(got[name]), len(sent[name])) for name in sent}


def test_qos2_state_moves_too_pubrel_resent_and_an_inbound_id_kept(nodes):
    one, two = nodes
    watcher = RawClient(two.mqtt_port)
    watcher.connect("q2-watcher")
    assert watcher.subscribe("q2o/x", 2) == 2
    sub = RawClient(one.mqtt_port)
    sub.connect("q2-mover", clean=False)
    assert sub.subscribe("q2m/#", 2) == 2
    one.http.post("/publish", json={"topic": "q2m/s", "payload": "exactly", "qos": 2}).raise_for_status()
    message = sub.read_publish()
    sub.ack(PUBREC, message.packet_id)
    assert (sub.read().type, message.qos) == (PUBREL, 2)
    sub.publish("q2o/x", b"mine", 2, 9)  # its own QoS 2 PUBLISH; it will not send PUBREL here
    assert sub.read().type == PUBREC
    sub.close()  # no PUBCOMP, no PUBREL
    assert wait_for(lambda: offline_on(one, "q2-mover"))
    delivered = watcher.read_publish()
    assert delivered.payload == b"mine"
    watcher.ack(PUBREC, delivered.packet_id)
    assert watcher.read().type == PUBREL
    watcher.ack(PUBCOMP, delivered.packet_id)

    again = RawClient(two.mqtt_port)
    assert again.connect("q2-mover", clean=False) == (True, 0)
    resent = again.read()
    assert (resent.type, resent.packet_id) == (PUBREL, message.packet_id)  # not the PUBLISH again
    again.ack(PUBCOMP, message.packet_id)
    again.publish("q2o/x", b"mine", 2, 9, dup=True)  # resent: its id came along, so not routed twice
    assert again.read().type == PUBREC
    again.ack(PUBREL, 9)
    comp = again.read()
    assert (comp.type, comp.packet_id) == (PUBCOMP, 9)
    assert again.nothing_within(0.5)
    assert watcher.nothing_within(1.0)
    again.disconnect()
    watcher.disconnect()


def test_of_two_copies_of_a_session_the_one_created_last_wins(nodes):
    """A copy made while the other's node was down (a worker killed, its client on another one,
    then the worker back with its stored copy): the newer one is the client's session."""
    from mqttgate.broker.amqtt.sessions import now
    from mqttgate.broker.sessions_store import StoredSession

    one, two = nodes
    old = RawClient(one.mqtt_port)
    old.connect("twice", clean=False)
    old.subscribe("old/topic", 1)
    old.disconnect()
    assert wait_for(lambda: offline_on(one, "twice"))
    broker = two.app.runtime.broker.local._running  # the newer copy, as a node restores it from its store
    two.run(broker.restore_sessions([StoredSession("twice", None, False, now(), now(),
                                                   subscriptions={"new/topic": 1})]))

    again = RawClient(two.mqtt_port)
    assert again.connect("twice", clean=False) == (True, 0)
    assert [s["topic"] for s in two.http.get("/clients/twice/subscriptions").json()] == ["new/topic"]
    assert wait_for(lambda: not listed_on_its_own(one, "twice"))  # the stale copy dropped
    again.disconnect()
