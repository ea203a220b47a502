"""A persistent session's reconnect to another node (session takeover) against a reconnect to its own node.

Two nodes (`mqttgate serve`, one nats-server between them). A persistent subscriber
(clean_session 0, QoS 1) goes offline and `--queued` QoS 1 messages are queued for it;
it reconnects either to the node holding its session (the baseline) or to the other one
(the session is handed over). A figure is the time from CONNECT to CONNACK, and to the
last queued message received (each acknowledged). Rounds alternate; medians are printed.

    python bench/handoff.py [--queued 1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _load import Mqttgate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.nats_cluster import NatsServer
from tests.rawmqtt import PUBACK, RawClient


def queue(node: Mqttgate, count: int, payload: bytes) -> None:
    publisher = RawClient(node.mqtt_port)
    publisher.connect(f"bench-pub-{time.monotonic_ns()}")
    for n in range(count):
        publisher.publish("bench/handoff", payload, 1, n % 65535 + 1)
        assert publisher.read().type == PUBACK
    publisher.disconnect()


def reconnect(node: Mqttgate, count: int) -> tuple[float, float]:
    """(seconds to CONNACK, seconds to the last queued message), then offline again."""
    start = time.perf_counter()
    client = RawClient(node.mqtt_port, timeout=30)
    present, code = client.connect("bench-mover", clean=False)
    connack = time.perf_counter() - start
    assert (present, code) == (True, 0), (present, code)
    for _ in range(count):
        message = client.read_publish()
        client.ack(PUBACK, message.packet_id)
    done = time.perf_counter() - start
    client.disconnect()
    return connack, done


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queued", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    payload = b"x" * 100
    nats = NatsServer(Path(tempfile.mkdtemp(prefix="nats-bench-")), "n1", [], cluster=False)
    nodes: list[Mqttgate] = []
    try:
        for i in (1, 2):
            nodes.append(Mqttgate(nodes[0].auth_header if nodes else None, MQTTGATE_CLUSTER__SERVERS__0=nats.url,
                                  MQTTGATE_CLUSTER__NODE=f"bench{i}"))
        time.sleep(2)  # each knows the other
        first = RawClient(nodes[0].mqtt_port)
        first.connect("bench-mover", clean=False)
        first.subscribe("bench/#", 1)
        first.disconnect()
        holder = 0
        results: dict[str, list[tuple[float, float]]] = {"same node": [], "other node": []}
        for _ in range(args.rounds):
            for kind in ("same node", "other node"):
                time.sleep(0.5)  # offline for sure
                queue(nodes[holder], args.queued, payload)
                target = holder if kind == "same node" else 1 - holder
                results[kind].append(reconnect(nodes[target], args.queued))
                holder = target
        base = statistics.median(d for _, d in results["same node"])
        for kind, rows in results.items():
            connack, done = statistics.median(c for c, _ in rows), statistics.median(d for _, d in rows)
            print(f"{kind:10}: CONNACK {connack * 1000:7.1f} ms, all {args.queued} queued messages in "
                  f"{done * 1000:7.1f} ms ({done / base:.2f}x the same-node reconnect)")
    finally:
        for node in nodes:
            node.stop()
        nats.kill()


if __name__ == "__main__":
    main()
