"""A tiny MQTT 3.1.1 client over a raw socket, for tests that must see (or withhold) each packet:
DUP flags, packet ids, PUBACK/PUBREC/PUBREL/PUBCOMP sent or not; and the packets as bytes, malformed
ones included."""

from __future__ import annotations

import socket
import struct
import time
from dataclasses import dataclass
from typing import Any

CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, PINGRESP = 2, 3, 4, 5, 6, 7, 9, 11, 13


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


def string(text: str | bytes) -> bytes:
    """An MQTT UTF-8 string: two length bytes, then the bytes as given (malformed ones too)."""
    data = text.encode() if isinstance(text, str) else text
    return struct.pack(">H", len(data)) + data


def length(n: int) -> bytes:
    """The remaining-length varint."""
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def packet(first: int, body: bytes) -> bytes:
    return bytes([first]) + length(len(body)) + body


def connect(clientid: str | bytes, *, clean: bool = True, keepalive: int = 60,
            will: tuple[str | bytes, bytes] | None = None, username: str | bytes | None = None) -> bytes:
    """CONNECT, MQTT 3.1.1; a will goes at QoS 1."""
    flags = (0x02 if clean else 0) | (0x04 | 0x08 if will else 0) | (0x80 if username is not None else 0)
    body = string("MQTT") + bytes([4, flags]) + struct.pack(">H", keepalive) + string(clientid)
    if will:
        body += string(will[0]) + string(will[1])
    if username is not None:
        body += string(username)
    return packet(0x10, body)


def publish(topic: str | bytes, payload: bytes = b"x", qos: int = 0, packet_id: int | None = 1, *,
            dup: bool = False, retain: bool = False) -> bytes:
    first = 0x30 | (0x08 if dup else 0) | (qos << 1) | (1 if retain else 0)
    return packet(first, string(topic) + (struct.pack(">H", packet_id) if qos else b"") + payload)


def subscribe(*filters: tuple[str | bytes, int], packet_id: int = 1) -> bytes:
    return packet(0x82, struct.pack(">H", packet_id) + b"".join(string(f) + bytes([q]) for f, q in filters))


def unsubscribe(*filters: str | bytes, packet_id: int = 1) -> bytes:
    return packet(0xA2, struct.pack(">H", packet_id) + b"".join(string(f) for f in filters))


def until_closed(sock: socket.socket, timeout: float = 5) -> tuple[bytes, bool]:
    """What the peer sends until it closes the connection, and whether it did within `timeout`."""
    data, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            return data, False
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False


class RawClient:
    """One connection; every call is one packet, nothing is answered unless asked."""

    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self._buffer = b""

    def write(self, data: bytes) -> RawClient:
        """Send bytes as they are: one packet, several, or a malformed one."""
        self.sock.sendall(data)
        return self

    def connect(self, clientid: str, **options: Any) -> tuple[bool, int]:
        """CONNECT (options as `connect()` takes them); (session present, return code) of the CONNACK."""
        self.write(connect(clientid, **options))
        answer = self.read()
        assert answer.type == CONNACK, answer
        return bool(answer.body[0] & 1), answer.body[1]

    def subscribe(self, topic: str, qos: int, packet_id: int = 1) -> int:
        self.write(subscribe((topic, qos), packet_id=packet_id))
        answer = self.read()
        assert answer.type == SUBACK, answer
        return answer.body[2]

    def publish(self, topic: str, payload: bytes, qos: int = 0, packet_id: int | None = None, *,
                dup: bool = False, retain: bool = False) -> None:
        self.write(publish(topic, payload, qos, packet_id, dup=dup, retain=retain))

    def ack(self, kind: int, packet_id: int) -> None:
        """PUBACK, PUBREC, PUBREL or PUBCOMP for a packet id."""
        self.write(packet((kind << 4) | (0x02 if kind == PUBREL else 0), struct.pack(">H", packet_id)))

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

    def recv_exactly(self, n: int) -> bytes:
        """The next `n` bytes as they come (fewer if the broker closes first)."""
        try:
            return self._take(n)
        except ConnectionError:
            data, self._buffer = self._buffer, b""
            return data

    def until_closed(self, timeout: float = 5) -> tuple[bytes, bool]:
        """What the broker sends until it closes the connection, and whether it did within `timeout`."""
        data, closed = until_closed(self.sock, timeout)
        data, self._buffer = self._buffer + data, b""
        return data, closed

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
            self.write(b"\xe0\x00")
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
