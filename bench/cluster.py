"""QoS 0 messages/s on a 2-node cluster against the same load on 1 node, and cross-node latency against local.

Throughput: `--streams` topics, each with one publisher (mosquitto_pub -l, its own process)
and one subscriber (mosquitto_sub, its own process). On 1 node (no cluster, the baseline)
all of them connect to it; on 2 nodes (one nats-server with JetStream between them) each
publisher connects to node i % 2, and half the subscribers to the same node as their
publisher, half to the other one. A figure is messages received / seconds from the first
publish until every subscriber has its messages. Rounds alternate 1 node, 2 nodes.

Latency: a paho publisher on node 1 sends one message at a time to a paho subscriber on
node 1 (local) or node 2 (cross-node); p50 and p99 of publish -> receive.

    python bench/cluster.py [--messages 20000] [--streams 4] [--rounds 3] [--pings 300]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt
from _load import Mqttgate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.nats_cluster import NatsCluster


def cluster_env(nats: NatsCluster, name: str) -> dict[str, str]:
    return {"MQTTGATE_CLUSTER__SERVERS__0": nats.urls[0], "MQTTGATE_CLUSTER__NODE": name}


def throughput(nodes: list[Mqttgate], streams: int, messages: int, payload: bytes, spread: bool) -> float:
    lines = Path(tempfile.mkdtemp()) / "lines"
    lines.write_bytes((payload + b"\n") * messages)
    subscribers = []
    for i in range(streams):
        sub_node = nodes[(i + (i >= streams // 2)) % len(nodes)] if spread else nodes[0]
        subscribers.append(subprocess.Popen(
            ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(sub_node.mqtt_port), "-t", f"bench/{i}", "-q", "0",
             "-C", str(messages), "-W", "120", "-i", f"bench-sub-{i}"], stdout=subprocess.DEVNULL))
    for i in range(streams):  # subscribed (a node answers SUBACK once NATS has its interest)
        sub_node = nodes[(i + (i >= streams // 2)) % len(nodes)] if spread else nodes[0]
        wait_subscribed(sub_node, f"bench-sub-{i}")
    start = time.perf_counter()
    publishers = [subprocess.Popen(
        ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(nodes[i % len(nodes)].mqtt_port), "-t", f"bench/{i}",
         "-q", "0", "-l", "-i", f"bench-pub-{i}"], stdin=lines.open("rb")) for i in range(streams)]
    for process in subscribers:
        if process.wait(180) != 0:
            raise SystemExit("a subscriber timed out: messages were lost")
    elapsed = time.perf_counter() - start
    for process in publishers:
        process.wait(30)
    return streams * messages / elapsed


def wait_subscribed(node: Mqttgate, clientid: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = httpx.get(f"http://127.0.0.1:{node.http_port}/api/v5/clients/{clientid}",
                           headers={"Authorization": node.auth_header}, timeout=10)
        if answer.status_code == 200 and answer.json()["subscriptions_cnt"] == 1:
            return
        time.sleep(0.1)
    raise SystemExit(f"{clientid} did not subscribe in {timeout}s")


def latency(pub_port: int, sub_port: int, pings: int) -> list[float]:
    got = threading.Event()
    received: list[float] = []

    def on_message(client, userdata, message) -> None:
        received.append(time.perf_counter() - float(message.payload))
        got.set()

    subscriber = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="lat-sub")
    subscriber.on_message = on_message
    subscriber.connect("127.0.0.1", sub_port)
    subscriber.loop_start()
    subscriber.subscribe("lat", 0)
    publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="lat-pub")
    publisher.connect("127.0.0.1", pub_port)
    publisher.loop_start()
    time.sleep(1.5)
    for _ in range(10):  # the subscription in force (cross-node: spread over NATS)
        publisher.publish("lat", str(time.perf_counter()).encode(), qos=0)
        got.wait(1)
    received.clear()
    for _ in range(pings):
        got.clear()
        publisher.publish("lat", str(time.perf_counter()).encode(), qos=0)
        if not got.wait(5):
            raise SystemExit("a latency probe was lost")
    for client in (publisher, subscriber):
        client.disconnect()
        client.loop_stop()
    return received


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000, help="per stream and round")
    parser.add_argument("--streams", type=int, default=4)
    parser.add_argument("--payload-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pings", type=int, default=300)
    args = parser.parse_args()
    payload = b"x" * args.payload_size
    nats = NatsCluster(Path(tempfile.mkdtemp(prefix="bench-nats-")), size=1)
    single: Mqttgate | None = None
    pair: list[Mqttgate] = []
    try:
        single = Mqttgate()
        for i in range(2):
            pair.append(Mqttgate(pair[0].auth_header if pair else None, **cluster_env(nats, f"bench{i}")))
        one, two = [], []
        for _ in range(args.rounds):
            one.append(throughput([single], args.streams, args.messages, payload, spread=False))
            two.append(throughput(pair, args.streams, args.messages, payload, spread=True))
        local = latency(pair[0].mqtt_port, pair[0].mqtt_port, args.pings)
        cross = latency(pair[0].mqtt_port, pair[1].mqtt_port, args.pings)
        single_lat = latency(single.mqtt_port, single.mqtt_port, args.pings)
    finally:
        for node in [*pair, *([single] if single else [])]:
            node.stop()
        nats.close()
    m1, m2 = statistics.median(one), statistics.median(two)
    print(f"QoS 0, {args.streams} streams x {args.messages} messages of {args.payload_size} bytes, "
          f"median of {args.rounds} rounds")
    print(f"  1 node (no cluster, baseline): {m1:10.0f} msg/s  rounds {[round(x) for x in one]}")
    print(f"  2 nodes (half cross-node):     {m2:10.0f} msg/s  rounds {[round(x) for x in two]}")
    print(f"  ratio 2 nodes / 1 node: {m2 / m1:.2f}x")
    print(f"latency publish -> receive, {args.pings} messages one at a time (ms)")
    print(f"  1 node, no cluster:   p50 {pct(single_lat, .5):6.2f}  p99 {pct(single_lat, .99):6.2f}")
    print(f"  cluster, same node:   p50 {pct(local, .5):6.2f}  p99 {pct(local, .99):6.2f}")
    print(f"  cluster, cross-node:  p50 {pct(cross, .5):6.2f}  p99 {pct(cross, .99):6.2f}  "
          f"(p50 ratio to same node {pct(cross, .5) / pct(local, .5):.2f}x)")


if __name__ == "__main__":
    main()
