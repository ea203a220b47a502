"""QoS 1 throughput with durable sessions: `mqtt.durability` sync, async and off, beside bare amqtt.

Four brokers run side by side, each in its own process: mqttgate's broker adapter with
durability `sync` (PUBACK once stored), `async` (PUBACK first) and `memory` (no session
store: "off"),
and amqtt 0.12.1 as it comes (`_bare_amqtt.py`). A raw MQTT publisher sends QoS 1 messages
with at most `--window` of them unacknowledged (awaiting PUBACK) to

  (a) an online persistent subscriber (clean_session 0, QoS 1, acknowledging each), timed
      until the publisher has every PUBACK and the subscriber every message;
  (b) an offline persistent session (subscribed, then disconnected): each message is queued
      for it (and stored, with sync and async), timed until the publisher has every PUBACK.

Rounds alternate the brokers' order; medians are reported, as ratios against `memory` and as
messages/s, with the broker process's CPU time per message beside them (its threads
included): on a shared machine the rate swings with the load, the CPU time much less.
Note: amqtt's AnonymousAuthPlugin marks every session anonymous and amqtt then
queues nothing for an offline session, so bare amqtt's (b) drops the messages it is given.

    python bench/durability.py [--messages 5000] [--rounds 5] [--window 100] [--payload 64]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from _mqtt import BrokerProcess, connect, read_packet, varint

MODES = ("sync", "async", "memory", "amqtt")


def start_broker(mode: str, data: Path) -> BrokerProcess:
    if mode == "amqtt":
        return BrokerProcess("amqtt")
    (data / mode).mkdir()
    return BrokerProcess("gate", "on", mode, str(data / mode))


async def subscribe(port: int, clientid: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    # a clean connect first discards what an earlier round left, then the persistent one
    _, writer = await connect(port, clientid, clean=True)
    writer.write(b"\xe0\x00")
    writer.close()
    reader, writer = await connect(port, clientid, clean=False)
    writer.write(bytes([0x82, 11, 0, 1, 0, 6]) + b"bench/" + bytes([1]))
    await read_packet(reader)  # SUBACK
    return reader, writer


async def run(port: int, *, online: bool, messages: int, window: int, payload: bytes) -> float:
    """Messages/s of one round."""
    sub_reader, sub_writer = await subscribe(port, "bench-sub")
    if not online:
        sub_writer.write(b"\xe0\x00")
        sub_writer.close()
        await asyncio.sleep(0.2)  # the broker has seen it go
    pub_reader, pub_writer = await connect(port, "bench-pub", clean=True)
    acked = received = 0
    room = asyncio.Event()
    room.set()

    async def acks() -> None:
        nonlocal acked
        while acked < messages:
            first, _ = await read_packet(pub_reader)
            if first >> 4 == 4:
                acked += 1
                room.set()

    async def deliveries() -> None:
        nonlocal received
        while received < messages:
            first, body = await read_packet(sub_reader)
            if first >> 4 != 3:
                continue
            topic_end = 2 + int.from_bytes(body[:2], "big")
            sub_writer.write(b"\x40\x02" + body[topic_end:topic_end + 2])
            received += 1

    def publish(packet_id: int) -> bytes:
        body = b"\x00\x06bench/" + packet_id.to_bytes(2, "big") + payload
        return bytes([0x32]) + varint(len(body)) + body

    start = time.perf_counter()
    waits = [asyncio.ensure_future(acks())] + ([asyncio.ensure_future(deliveries())] if online else [])
    sent = 0
    while sent < messages:
        if sent - acked >= window:
            room.clear()
            await room.wait()
            continue
        batch = min(window - (sent - acked), messages - sent, 50)
        pub_writer.write(b"".join(publish(n % 65535 + 1) for n in range(sent, sent + batch)))
        sent += batch
        await pub_writer.drain()
    await asyncio.wait_for(asyncio.gather(*waits), 300)
    elapsed = time.perf_counter() - start
    for writer in (pub_writer, sub_writer):
        if not writer.is_closing():
            writer.write(b"\xe0\x00")
            writer.close()
    return messages / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--window", type=int, default=100, help="messages awaiting PUBACK at most")
    parser.add_argument("--payload", type=int, default=64, help="bytes per message")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        brokers = {mode: start_broker(mode, Path(scratch)) for mode in MODES}
        rates: dict[tuple[str, str], list[float]] = {(m, c): [] for m in MODES for c in ("online", "offline")}
        cpu: dict[tuple[str, str], list[float]] = {(m, c): [] for m in MODES for c in ("online", "offline")}
        try:
            for broker in brokers.values():  # warm-up, not counted
                asyncio.run(run(broker.port, online=True, messages=500, window=args.window, payload=b"w"))
            for n in range(args.rounds):
                order = list(MODES) if n % 2 == 0 else list(reversed(MODES))
                for case in ("online", "offline"):
                    for mode in order:
                        before = brokers[mode].cpu_seconds()
                        rates[mode, case].append(asyncio.run(run(
                            brokers[mode].port, online=case == "online", messages=args.messages,
                            window=args.window, payload=os.urandom(args.payload))))
                        cpu[mode, case].append((brokers[mode].cpu_seconds() - before) / args.messages * 1e6)
        finally:
            for broker in brokers.values():
                broker.stop()
    print(f"QoS 1, {args.messages} messages of {args.payload} bytes, at most {args.window} awaiting PUBACK, "
          f"median of {args.rounds} rounds")
    for case, what in (("online", "(a) online persistent subscriber"), ("offline", "(b) offline persistent session")):
        off, cpu_off = statistics.median(rates["memory", case]), statistics.median(cpu["memory", case])
        print(what)
        for mode in MODES:
            rate, used = statistics.median(rates[mode, case]), statistics.median(cpu[mode, case])
            print(f"  {mode:6}: {rate:7.0f} msg/s  ratio to memory {rate / off:.3f} | CPU {used:5.0f} us/msg  "
                  f"ratio {used / cpu_off:.3f}  (rounds {[round(r) for r in rates[mode, case]]})")


if __name__ == "__main__":
    main()
