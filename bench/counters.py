"""MQTT throughput (publisher -> broker -> one subscriber) with the counters on, against the same broker with them off.

Two brokers run side by side, each in its own process: `AmqttBrokerAdapter(metrics=True)`, as
mqttgate runs it, and `AmqttBrokerAdapter(metrics=False)`, which keeps no counters. From this
process a raw MQTT publisher sends to a raw subscriber through each, with at most `--window`
messages under way, and the time until the subscriber has all of them gives the messages/s.
Rounds alternate between the two brokers (their order too) and the median is reported, with
the broker process's CPU time per message beside it: on a shared machine the CPU time says
what counting costs more steadily than the rate does.

    python bench/counters.py [--messages 10000] [--rounds 11] [--window 500] [--payload 64]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

from _mqtt import BrokerProcess, connect, read_packet, varint


async def throughput(port: int, *, messages: int, qos: int, window: int, payload: bytes) -> float:
    """Messages/s from one publisher to one subscriber of `port`, QoS `qos` both ways."""
    sub_reader, sub_writer = await connect(port, "bench-sub")
    sub_writer.write(bytes([0x82, 11, 0, 1, 0, 6]) + b"bench/" + bytes([qos]))
    await read_packet(sub_reader)  # SUBACK
    pub_reader, pub_writer = await connect(port, "bench-pub")
    received = 0
    room = asyncio.Event()
    room.set()

    async def subscribe() -> None:
        nonlocal received
        while received < messages:
            first, body = await read_packet(sub_reader)
            if first >> 4 != 3:
                continue
            if qos:
                topic_end = 2 + int.from_bytes(body[:2], "big")
                sub_writer.write(b"\x40\x02" + body[topic_end:topic_end + 2])  # PUBACK
            received += 1
            room.set()

    async def drain_acks() -> None:  # the publisher's PUBACKs
        while True:
            await read_packet(pub_reader)

    def publish(packet_id: int) -> bytes:
        body = b"\x00\x06bench/" + (packet_id.to_bytes(2, "big") if qos else b"") + payload
        return bytes([0x30 | qos << 1]) + varint(len(body)) + body

    start = time.perf_counter()
    receiving = asyncio.ensure_future(subscribe())
    acks = asyncio.ensure_future(drain_acks())
    sent = 0
    while sent < messages:
        if sent - received >= window:
            room.clear()
            await room.wait()
            continue
        batch = min(window - (sent - received), messages - sent, 100)
        pub_writer.write(b"".join(publish(n % 65535 + 1) for n in range(sent, sent + batch)))
        sent += batch
        await pub_writer.drain()
    await asyncio.wait_for(receiving, 120)
    elapsed = time.perf_counter() - start
    acks.cancel()
    for writer in (pub_writer, sub_writer):
        writer.write(b"\xe0\x00")  # DISCONNECT
        writer.close()
    return messages / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--window", type=int, default=500, help="messages under way at most")
    parser.add_argument("--payload", type=int, default=64, help="bytes per message")
    args = parser.parse_args()

    brokers = {mode: BrokerProcess("gate", mode, "memory") for mode in ("on", "off")}
    rates: dict[tuple[str, int], list[float]] = {(mode, qos): [] for mode in brokers for qos in (0, 1)}
    cpu: dict[tuple[str, int], list[float]] = {(mode, qos): [] for mode in brokers for qos in (0, 1)}
    try:
        for qos in (0, 1):  # a warm-up of each, not counted
            for broker in brokers.values():
                asyncio.run(throughput(broker.port, messages=2000, qos=qos, window=args.window, payload=b"w"))
        for n in range(args.rounds):
            order = ["on", "off"] if n % 2 == 0 else ["off", "on"]
            for qos in (0, 1):
                for mode in order:
                    cpu_before = brokers[mode].cpu_seconds()
                    rates[mode, qos].append(asyncio.run(throughput(
                        brokers[mode].port, messages=args.messages, qos=qos, window=args.window,
                        payload=os.urandom(args.payload))))
                    cpu[mode, qos].append((brokers[mode].cpu_seconds() - cpu_before) / args.messages * 1e6)
    finally:
        for broker in brokers.values():
            broker.stop()
    print(f"MQTT publisher -> broker -> 1 subscriber, {args.messages} messages of {args.payload} bytes, "
          f"{args.window} under way at most, median of {args.rounds} rounds")
    for qos in (0, 1):
        on, off = statistics.median(rates["on", qos]), statistics.median(rates["off", qos])
        cpu_on, cpu_off = statistics.median(cpu["on", qos]), statistics.median(cpu["off", qos])
        print(f"QoS {qos}: throughput ratio counters on/off: {on / off:.3f}  (on {on:.0f} msg/s, off {off:.0f} msg/s; "
              f"rounds on {[round(r) for r in rates['on', qos]]}, off {[round(r) for r in rates['off', qos]]})")
        print(f"       broker CPU per message ratio on/off: {cpu_on / cpu_off:.3f}  "
              f"(on {cpu_on:.0f} us, off {cpu_off:.0f} us)")


if __name__ == "__main__":
    main()
