"""MQTT packets framed by their fixed header, and checked before amqtt decodes them.

amqtt trusts the fixed header: it buffers whatever remaining length a client announces
before any limit applies (three 100 MB PUBLISHes took the broker from 64 to 562 MB), and
when it rejects a packet half-way (a PUBLISH to a wildcard topic) it leaves the rest
unread, so that the payload is parsed as packets of their own (a smuggled PUBLISH and
PINGREQ were answered). Here a packet over `max_packet_size` is refused from its fixed
header, before its body is read, and every packet is read whole, exactly its remaining
length, before it is checked and decoded. The checks close the connection on what MQTT
3.1.1 says to close on, before amqtt answers anything (no PUBACK first).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from amqtt.mqtt.packet import CONNECT, PUBLISH, SUBSCRIBE, UNSUBSCRIBE, MQTTFixedHeader

from mqttgate.broker import topics
from mqttgate.broker.errors import InvalidTopic

# room a PUBLISH needs beside its payload: the longest topic (2 + 65,535 bytes) and a packet id
PUBLISH_OVERHEAD = 2 + topics.MAX_TOPIC_BYTES + 2


class Refused(Exception):
    """The client broke a rule that closes its connection; the message says which, for the log."""


@dataclass(frozen=True)
class Frame:
    """One packet as read: its fixed header's first byte, and exactly its remaining length of bytes."""

    first: int
    body: bytes

    @property
    def packet_type(self) -> int:
        return self.first >> 4

    @property
    def flags(self) -> int:
        return self.first & 0x0F

    def to_bytes(self) -> bytes:
        return MQTTFixedHeader(self.packet_type, self.flags, len(self.body)).to_bytes() + self.body


async def read_frame(read, max_packet_size: int) -> Frame | None:
    """The next packet from `read` (amqtt's read_or_raise-style coroutine); None at EOF before a packet.

    Raises:
        Refused: a remaining length that is malformed or over `max_packet_size` (nothing more is read).
    """
    first = await read(1)
    if not first:
        return None
    length, multiplier = 0, 1
    for _ in range(4):
        byte = (await read(1))[0]
        length += (byte & 0x7F) * multiplier
        if not byte & 0x80:
            break
        multiplier *= 128
    else:
        raise Refused("malformed remaining length (more than 4 bytes) [MQTT-2.2.3]")
    if length > max_packet_size:
        raise Refused(f"packet of {length} bytes announced, over max_packet_size ({max_packet_size})")
    return Frame(first[0], await read(length) if length else b"")


class _Body:
    """A cursor over a packet's body that decodes MQTT's fields strictly."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def left(self) -> int:
        return len(self.data) - self.at

    def take(self, n: int, what: str) -> bytes:
        if self.left() < n:
            raise Refused(f"truncated {what}")
        chunk = self.data[self.at:self.at + n]
        self.at += n
        return chunk

    def u16(self, what: str) -> int:
        return struct.unpack("!H", self.take(2, what))[0]

    def binary(self, what: str) -> bytes:
        return self.take(self.u16(what), what)

    def string(self, what: str) -> str:
        raw = self.binary(what)
        try:
            text = raw.decode("utf-8")  # strict: no surrogates, no overlong forms
        except UnicodeDecodeError:
            raise Refused(f"{what} is not valid UTF-8 [MQTT-1.5.3-1]") from None
        if "\0" in text:
            raise Refused(f"{what} holds U+0000 [MQTT-1.5.3-2]")
        return text


def check_packet(frame: Frame, max_payload_size: int) -> None:
    """Refuse a packet (after CONNECT) that MQTT 3.1.1 says closes the connection.

    Raises:
        Refused: with the reason.
    """
    body = _Body(frame.body)
    if frame.packet_type == PUBLISH:
        qos = (frame.flags >> 1) & 0x03
        if qos == 3:
            raise Refused("PUBLISH with QoS 3 [MQTT-3.3.1-4]")
        topic = body.string("PUBLISH topic")
        try:
            topics.check_publish(topic)  # wildcards [MQTT-3.3.2-2], empty, NUL, $ topics
        except InvalidTopic as exc:
            raise Refused(f"PUBLISH to {topic!r}: {exc.message}") from None
        if qos:
            body.u16("PUBLISH packet id")
        if body.left() > max_payload_size:
            raise Refused(f"PUBLISH of {body.left()} bytes, over max_payload_size ({max_payload_size})")
    elif frame.packet_type in (SUBSCRIBE, UNSUBSCRIBE):
        name = "SUBSCRIBE" if frame.packet_type == SUBSCRIBE else "UNSUBSCRIBE"
        if frame.flags != 0b0010:
            raise Refused(f"{name} with reserved flags {frame.flags:#06b} [MQTT-3.8.1-1]")
        body.u16(f"{name} packet id")
        if not body.left():
            raise Refused(f"{name} without a topic filter [MQTT-3.8.3-3]")
        while body.left():
            topic_filter = body.string(f"{name} topic filter")
            if not topic_filter:
                raise Refused(f"{name} to an empty topic filter [MQTT-4.7.3-1]")
            if frame.packet_type == SUBSCRIBE and body.take(1, "SUBSCRIBE QoS")[0] > 2:
                raise Refused("SUBSCRIBE with a QoS over 2 [MQTT-3.8.3-4]")


class WillRefused(Refused):
    """The will of a CONNECT breaks a publish rule: CONNACK "not authorized", then close."""


def check_connect(frame: Frame, max_payload_size: int) -> None:
    """Refuse a CONNECT whose strings are malformed, or whose will no PUBLISH could carry.

    Raises:
        Refused: malformed (not UTF-8, U+0000); the connection is closed without CONNACK.
        WillRefused: the will's topic is not one a client may publish to, or its payload is
            over max_payload_size; a PUBLISH of it would be refused, so is the CONNECT.
    """
    if frame.packet_type != CONNECT:
        raise Refused(f"first packet is of type {frame.packet_type}, not CONNECT [MQTT-3.1.0-1]")
    body = _Body(frame.body)
    body.binary("protocol name")
    body.take(1, "protocol level")
    flags = body.take(1, "connect flags")[0]
    body.u16("keepalive")
    body.string("client id")
    will_topic = will_message = None
    if flags & 0x04:
        will_topic = body.string("will topic")
        will_message = body.binary("will message")
    if flags & 0x80:
        body.string("username")
    if will_topic is not None:
        try:
            topics.check_publish(will_topic)
        except InvalidTopic as exc:
            raise WillRefused(f"will topic {will_topic!r}: {exc.message}") from None
        if len(will_message) > max_payload_size:
            raise WillRefused(f"will of {len(will_message)} bytes, over max_payload_size ({max_payload_size})")
