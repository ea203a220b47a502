"""Connect rate and memory per idle client: mqttgate against bare amqtt 0.12.1, in the same run.

For each broker in its own process (`mqttgate serve`, the REST API idle, and amqtt as it comes),
this process connects `--clients` idle MQTT 3.1.1 clients (clean session, keepalive 0),
`--concurrency` CONNECTs under way at a time: connects/s from the first CONNECT to the last
CONNACK, and the broker's RSS growth divided by the clients (kB per idle client). Rounds
alternate the brokers (a fresh process each) and medians are reported.

    python bench/connect_rss.py [--clients 5000] [--rounds 3] [--concurrency 100]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import time

from _mqtt import BrokerProcess, connect_idle


def measure(kind: str, clients: int, concurrency: int) -> tuple[float, float]:
    broker = BrokerProcess(kind)
    try:
        async def run() -> tuple[float, float]:
            await asyncio.sleep(0.5)  # the broker settles (its start-up tasks)
            before = broker.rss()
            rate, writers = await connect_idle(broker.port, clients, f"idle-{kind}", concurrency)
            await asyncio.sleep(1.0)
            after = broker.rss()
            for writer in writers:
                writer.close()
            return rate, (after - before) / clients / 1024

        return asyncio.run(run())
    finally:
        broker.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2 * args.clients + 100:  # a socket each here, and in the broker (which inherits the limit)
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 2 * args.clients + 1000), hard))
    rates: dict[str, list[float]] = {"mqttgate": [], "amqtt": []}
    memory: dict[str, list[float]] = {"mqttgate": [], "amqtt": []}
    for n in range(args.rounds):
        for kind in (["mqttgate", "amqtt"] if n % 2 == 0 else ["amqtt", "mqttgate"]):
            rate, kb = measure(kind, args.clients, args.concurrency)
            rates[kind].append(rate)
            memory[kind].append(kb)
            time.sleep(0.5)
    ours, theirs = statistics.median(rates["mqttgate"]), statistics.median(rates["amqtt"])
    kb_ours, kb_theirs = statistics.median(memory["mqttgate"]), statistics.median(memory["amqtt"])
    print(f"{args.clients} idle MQTT clients, {args.concurrency} CONNECTs under way, median of {args.rounds} rounds "
          f"(mqttgate / bare amqtt 0.12.1, same run)")
    print(f"connect rate ratio: {ours / theirs:.2f}  (mqttgate {ours:.0f} connects/s, amqtt {theirs:.0f}; "
          f"rounds mqttgate {[round(r) for r in rates['mqttgate']]}, amqtt {[round(r) for r in rates['amqtt']]})")
    print(f"RSS per idle client: mqttgate {kb_ours:.1f} kB, amqtt {kb_theirs:.1f} kB (ratio {kb_ours / kb_theirs:.2f})")


if __name__ == "__main__":
    main()
