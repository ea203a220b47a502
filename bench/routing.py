"""Routing among many subscriptions: QoS 0 throughput with 10,000 other filters held, mqttgate against bare amqtt.

For each broker (`mqttgate serve`, and amqtt 0.12.1 as it comes) in its own process: the
deliveries/s of one publisher to one subscriber (bench/_mqtt.throughput) with no other
subscription, then again once `--filters` idle clients each hold a filter of their own
(`idle/N/+`, which the messages do not match). The figure is how much of its rate a broker
keeps (1.00: none lost to the filters it need not match), and mqttgate's rate against bare
amqtt's, all in the same run.

    python bench/routing.py [--filters 10000] [--messages 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics

from _mqtt import BrokerProcess, connect, read_packet, throughput, varint


async def hold_filters(port: int, count: int) -> list[asyncio.StreamWriter]:
    """`count` idle clients, each subscribed to a filter of its own."""

    async def one(n: int) -> asyncio.StreamWriter:
        reader, writer = await connect(port, f"idle-{n:06d}")
        topic = f"idle/{n}/+".encode()
        body = b"\x00\x01" + len(topic).to_bytes(2, "big") + topic + b"\x00"
        writer.write(bytes([0x82]) + varint(len(body)) + body)
        await read_packet(reader)  # SUBACK
        return writer

    writers: list[asyncio.StreamWriter] = []
    for first in range(0, count, 100):
        writers += await asyncio.gather(*(one(n) for n in range(first, min(first + 100, count))))
    return writers


async def measure(port: int, filters: int, messages: int, rounds: int) -> tuple[float, float]:
    """Median deliveries/s without other filters, then with `filters` of them."""
    await throughput(port, messages=1000, qos=0, tag="warm")
    alone = [await throughput(port, messages=messages, qos=0, tag=f"a{n}") for n in range(rounds)]
    idle = await hold_filters(port, filters)
    among = [await throughput(port, messages=messages, qos=0, tag=f"m{n}") for n in range(rounds)]
    for writer in idle:
        writer.close()
    return statistics.median(alone), statistics.median(among)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filters", type=int, default=10000)
    parser.add_argument("--messages", type=int, default=2000, help="per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    rates = {}
    for kind in ("mqttgate", "amqtt"):
        broker = BrokerProcess(kind)
        try:
            rates[kind] = asyncio.run(measure(broker.port, args.filters, args.messages, args.rounds))
        finally:
            broker.stop()
    print(f"QoS 0, 1 -> 1, {args.messages} messages, median of {args.rounds}; then with {args.filters} other "
          f"clients each holding a filter the messages do not match (same run)")
    for kind, (alone, among) in rates.items():
        print(f"{kind:<8}: keeps {among / alone:5.2f} of its rate  ({alone:6.0f} msg/s alone, "
              f"{among:6.0f} msg/s among {args.filters} filters)")
    print(f"mqttgate / bare amqtt among {args.filters} filters: ratio {rates['mqttgate'][1] / rates['amqtt'][1]:.2f}")


if __name__ == "__main__":
    main()
