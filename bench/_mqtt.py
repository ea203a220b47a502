"""Shared by the MQTT benchmarks: brokers in subprocesses, raw MQTT 3.1.1 clients, throughput and connect loops."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
from _load import Mqttgate, free_port

HERE = Path(__file__).resolve().parent


class BrokerProcess:
    """A broker in a subprocess: `mqttgate serve` ("mqttgate"), bare amqtt ("amqtt", bench/_bare_amqtt.py),
    or mqttgate's broker adapter alone ("gate", bench/_gate_broker.py with `args`)."""

    def __init__(self, kind: str, *args: str) -> None:
        self.kind = kind
        if kind == "mqttgate":  # all of it, as `mqttgate serve` runs (the REST API idle)
            self._gate = Mqttgate()
            self.port, self.proc = self._gate.mqtt_port, self._gate.proc
        else:
            self.port = free_port()
            script = {"amqtt": "_bare_amqtt.py", "gate": "_gate_broker.py"}[kind]
            self.proc = subprocess.Popen([sys.executable, str(HERE / script), str(self.port), *args],
                                         stdout=subprocess.PIPE, text=True,
                                         env={**os.environ, "PYTHONPATH": str(HERE.parent)})
            if self.proc.stdout.readline().strip() != "ready":
                self.stop()
                raise RuntimeError(f"the {kind} broker {' '.join(args)} did not start")
        self.process = psutil.Process(self.proc.pid)

    def cpu_seconds(self) -> float:
        times = self.process.cpu_times()
        return times.user + times.system

    def rss(self) -> int:
        return self.process.memory_info().rss

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        n, digit = n >> 7, n & 0x7F
        out.append(digit | (0x80 if n else 0))
        if not n:
            return bytes(out)


async def connect(port: int, clientid: str, keepalive: int = 0, *,
                  clean: bool = True) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """An MQTT 3.1.1 connection (clean session unless `clean` is False), CONNACK received."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    payload = len(clientid).to_bytes(2, "big") + clientid.encode()
    writer.write(bytes([0x10]) + varint(10 + len(payload)) + b"\x00\x04MQTT\x04" + bytes([0x02 if clean else 0x00])
                 + keepalive.to_bytes(2, "big") + payload)
    connack = await reader.readexactly(4)
    if connack[3] != 0:
        raise RuntimeError(f"CONNECT refused: {connack!r}")
    return reader, writer


async def read_packet(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    first = (await reader.readexactly(1))[0]
    length, shift = 0, 0
    while True:
        byte = (await reader.readexactly(1))[0]
        length += (byte & 0x7F) << shift
        if not byte & 0x80:
            break
        shift += 7
    return first, await reader.readexactly(length)


async def throughput(port: int, *, messages: int, qos: int, subscribers: int = 1, window: int = 500,
                     payload: bytes = b"x" * 64, tag: str = "") -> float:
    """Deliveries/s from one publisher to `subscribers` subscribers of one topic, QoS `qos` both ways.

    At most `window` messages are under way (published, not yet received by every subscriber).
    """
    topic = f"bench/{tag}{os.getpid()}".encode()
    subs = []
    for n in range(subscribers):
        reader, writer = await connect(port, f"bench-sub-{tag}{n}")
        body = b"\x00\x01" + len(topic).to_bytes(2, "big") + topic + bytes([qos])
        writer.write(bytes([0x82]) + varint(len(body)) + body)
        await read_packet(reader)  # SUBACK
        subs.append((reader, writer))
    pub_reader, pub_writer = await connect(port, f"bench-pub-{tag}")
    received = [0] * subscribers
    room = asyncio.Event()
    room.set()

    async def subscribe(n: int) -> None:
        reader, writer = subs[n]
        while received[n] < messages:
            first, body = await read_packet(reader)
            if first >> 4 != 3:
                continue
            if (first >> 1) & 3:
                topic_end = 2 + int.from_bytes(body[:2], "big")
                writer.write(b"\x40\x02" + body[topic_end:topic_end + 2])  # PUBACK
            received[n] += 1
            room.set()

    async def drain_acks() -> None:  # the publisher's PUBACKs
        while True:
            await read_packet(pub_reader)

    def publish(packet_id: int) -> bytes:
        body = len(topic).to_bytes(2, "big") + topic + (packet_id.to_bytes(2, "big") if qos else b"") + payload
        return bytes([0x30 | qos << 1]) + varint(len(body)) + body

    start = time.perf_counter()
    receiving = [asyncio.ensure_future(subscribe(n)) for n in range(subscribers)]
    acks = asyncio.ensure_future(drain_acks())
    sent = 0
    while sent < messages:
        if sent - min(received) >= window:
            room.clear()
            await room.wait()
            continue
        batch = min(window - (sent - min(received)), messages - sent, 100)
        pub_writer.write(b"".join(publish(n % 65535 + 1) for n in range(sent, sent + batch)))
        sent += batch
        await pub_writer.drain()
    await asyncio.wait_for(asyncio.gather(*receiving), 300)
    elapsed = time.perf_counter() - start
    acks.cancel()
    for _, writer in [*subs, (pub_reader, pub_writer)]:
        writer.write(b"\xe0\x00")  # DISCONNECT
        writer.close()
    return messages * subscribers / elapsed


async def connect_idle(port: int, count: int, prefix: str, concurrency: int = 100) -> tuple[float, list]:
    """Connect `count` idle clients, `concurrency` at a time: (connects/s, their writers)."""
    writers: list[asyncio.StreamWriter] = []
    start = time.perf_counter()
    for first in range(0, count, concurrency):
        made = await asyncio.gather(*(connect(port, f"{prefix}-{n:06d}")
                                      for n in range(first, min(first + concurrency, count))))
        writers += [writer for _, writer in made]
    return count / (time.perf_counter() - start), writers
