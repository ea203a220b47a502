"""A tiny MQTT 3.1.1 client over a raw socket, for tests that must see (or withhold) each packet:
DUP flags, packet ids, PUBACK/PUBREC/PUBREL/PUBCOMP sent or not."""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK = 2, 3, 4, 5, 6, 7, 9


@dataclass
class Packet:
    type: int
    flags: int
    body: bytes

    @property
    def packet_id(self) -> int:
        return struct.unpack(">H", self.body[:2])[0]


@dataclass
class Publish:
    topic: str
    payload: bytes
    qos: int
    dup: bool
    retain: bool
    packet_id: int | None


def _string(text: str | bytes) -> bytes:
    data = text.encode() if isinstance(text, str) else text
    return struct.pack(">H", len(data)) + data


def _length(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


class RawClient:
    """One connection; every call is one packet, nothing is answered unless asked."""

    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self._buffer = b""

    def send(self, first: int, body: bytes) -> None:
        self.sock.sendall(bytes([first]) + _length(len(body)) + body)

    def connect(self, clientid: str, *, clean: bool = True, keepalive: int = 60) -> tuple[bool, int]:
        """CONNECT; (session present, return code) of the CONNACK."""
        flags = 0x02 if clean else 0
        self.send(0x10, _string("MQTT") + bytes([4, flags]) + struct.pack(">H", keepalive) + _string(clientid))
        packet = self.read()
        assert packet.type == CONNACK, packet
        return bool(packet.body[0] & 1), packet.body[1]

    def subscribe(self, topic: str, qos: int, packet_id: int = 1) -> int:
        self.send(0x82, struct.pack(">H", packet_id) + _string(topic) + bytes([qos]))
        packet = self.read()
        assert packet.type == SUBACK, packet
        return packet.body[2]

    def publish(self, topic: str, payload: bytes, qos: int = 0, packet_id: int | None = None, *,
                dup: bool = False, retain: bool = False) -> None:
        first = 0x30 | (0x08 if dup else 0) | (qos << 1) | (1 if retain else 0)
        body = _string(topic) + (struct.pack(">H", packet_id) if qos else b"") + payload
        self.send(first, body)

    def ack(self, kind: int, packet_id: int) -> None:
        """PUBACK, PUBREC, PUBREL or PUBCOMP for a packet id."""
        self.send((kind << 4) | (0x02 if kind == PUBREL else 0), struct.pack(">H", packet_id))

    def read(self, timeout: float | None = None) -> Packet:
        if timeout is not None:
            self.sock.settimeout(timeout)
        first = self._take(1)[0]
        multiplier, length = 1, 0
        while True:
            byte = self._take(1)[0]
            length += (byte & 0x7F) * multiplier
            multiplier *= 128
            if not byte & 0x80:
                break
        return Packet(first >> 4, first & 0x0F, self._take(length))

    def read_publish(self, timeout: float | None = None) -> Publish:
        packet = self.read(timeout)
        assert packet.type == PUBLISH, packet
        return parse_publish(packet)

    def nothing_within(self, seconds: float) -> bool:
        """True if no packet arrives within `seconds`."""
        try:
            packet = self.read(seconds)
        except TimeoutError:
            return True
        raise AssertionError(f"unexpected packet {packet}")

    def _take(self, n: int) -> bytes:
        while len(self._buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed by the broker")
            self._buffer += chunk
        data, self._buffer = self._buffer[:n], self._buffer[n:]
        return data

    def disconnect(self) -> None:
        try:
            self.send(0xE0, b"")
        except OSError:
            pass
        self.close()

    def close(self) -> None:
        """Drop the connection without DISCONNECT."""
        self.sock.close()


def parse_publish(packet: Packet) -> Publish:
    qos = (packet.flags >> 1) & 3
    size = struct.unpack(">H", packet.body[:2])[0]
    topic = packet.body[2:2 + size].decode()
    rest = packet.body[2 + size:]
    packet_id = None
    if qos:
        packet_id, rest = struct.unpack(">H", rest[:2])[0], rest[2:]
    return Publish(topic, rest, qos, bool(packet.flags & 8), bool(packet.flags & 1), packet_id)
