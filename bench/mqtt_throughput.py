"""MQTT throughput through mqttgate's broker against bare amqtt 0.12.1, in the same run.

Two brokers run side by side, each in its own process: `mqttgate serve` (counters on, the
REST API idle) and amqtt 0.12.1 as it comes
(bench/_bare_amqtt.py). From this process a raw MQTT publisher sends to 1 or 10 raw
subscribers through each, at most `--window` messages under way; a figure is deliveries/s
until every subscriber has every message. Rounds alternate the brokers' order; medians are
reported with each broker's CPU time per delivery.

    python bench/mqtt_throughput.py [--messages 10000] [--rounds 5] [--window 500] [--payload 64]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics

from _mqtt import BrokerProcess, throughput

CASES = [(0, 1), (1, 1), (0, 10), (1, 10)]  # (qos, subscribers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10000, help="per round and case (fan-out: a tenth)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--window", type=int, default=500, help="messages under way at most")
    parser.add_argument("--payload", type=int, default=64, help="bytes per message")
    args = parser.parse_args()

    brokers = {kind: BrokerProcess(kind) for kind in ("mqttgate", "amqtt")}
    rates = {(kind, case): [] for kind in brokers for case in CASES}
    cpu = {(kind, case): [] for kind in brokers for case in CASES}
    try:
        for broker in brokers.values():  # warm-up, not counted
            asyncio.run(throughput(broker.port, messages=1000, qos=1, tag="w"))
        for n in range(args.rounds):
            order = ["mqttgate", "amqtt"] if n % 2 == 0 else ["amqtt", "mqttgate"]
            for qos, subscribers in CASES:
                messages = args.messages if subscribers == 1 else args.messages // subscribers
                for kind in order:
                    before = brokers[kind].cpu_seconds()
                    rate = asyncio.run(throughput(brokers[kind].port, messages=messages, qos=qos,
                                                  subscribers=subscribers, window=args.window,
                                                  payload=os.urandom(args.payload), tag=f"{n}q{qos}s{subscribers}"))
                    rates[kind, (qos, subscribers)].append(rate)
                    cpu[kind, (qos, subscribers)].append(
                        (brokers[kind].cpu_seconds() - before) / (messages * subscribers) * 1e6)
    finally:
        for broker in brokers.values():
            broker.stop()
    print(f"MQTT publisher -> broker -> subscribers, {args.payload}-byte messages, {args.window} under way at most, "
          f"median of {args.rounds} rounds (mqttgate / bare amqtt 0.12.1, same run)")
    for case in CASES:
        qos, subscribers = case
        ours, theirs = statistics.median(rates["mqttgate", case]), statistics.median(rates["amqtt", case])
        cpu_ours, cpu_theirs = statistics.median(cpu["mqttgate", case]), statistics.median(cpu["amqtt", case])
        print(f"QoS {qos} 1 -> {subscribers:<2}: ratio {ours / theirs:5.2f}  (mqttgate {ours:6.0f} deliveries/s, "
              f"amqtt {theirs:6.0f}); CPU per delivery ratio {cpu_theirs / cpu_ours:5.2f} "
              f"(mqttgate {cpu_ours:.0f} us, amqtt {cpu_theirs:.0f} us)")


if __name__ == "__main__":
    main()
