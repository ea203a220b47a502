"""The MQTT parser against malformed and rule-breaking packets, over raw sockets, on the live broker.

Like nats-server's MQTT tests: a table of inputs, each with what the broker must do. A
violation closes the connection before anything is answered (no PUBACK, no SUBACK).
"""

from __future__ import annotations

import struct
import time

import pytest

from tests.conftest import wait_for
from tests.rawmqtt import RawClient, connect, length, packet, publish, string, subscribe, unsubscribe

NOT_AUTHORIZED = b"\x20\x02\x00\x05"
ACCEPTED = b"\x20\x02\x00\x00"
PINGRESP = b"\xd0\x00"


def connected(port: int, client_id: bytes = b"raw") -> RawClient:
    raw = RawClient(port).write(connect(client_id))
    assert raw.recv_exactly(4) == ACCEPTED
    return raw


# after an accepted CONNECT: each of these closes the connection, answering nothing
VIOLATIONS = [
    ("wildcard + topic", publish(b"w/+", qos=1)),
    ("wildcard # topic", publish(b"w/#")),
    ("invalid utf8 topic", publish(b"w/\xff\xfe", qos=1)),
    ("utf8 surrogate in topic", publish(b"w/\xed\xa0\x80", qos=1)),
    ("NUL in topic", publish(b"a/\x00", qos=1)),
    ("empty topic", publish(b"", qos=1)),
    ("$SYS topic", publish(b"$SYS/fake", qos=1)),
    ("invalid qos 3", packet(0x36, string(b"t") + b"\x00\x01x")),
    ("payload over max_payload_size", publish(b"t", b"x" * 101, qos=1)),
    ("subscribe to empty filter", subscribe((b"", 0))),
    ("subscribe to NUL filter", subscribe((b"a/\x00", 0))),
    ("subscribe to invalid utf8 filter", subscribe((b"a/\xff", 0))),
    ("subscribe with qos 3", subscribe((b"a", 3))),
    ("subscribe without filters", subscribe()),
    ("subscribe with bad flags", packet(0x80, struct.pack("!H", 1) + string(b"a") + b"\x00")),
    ("unsubscribe from empty filter", unsubscribe(b"")),
    ("unsubscribe from NUL filter", unsubscribe(b"a/\x00")),
    ("truncated topic length", packet(0x30, b"\x00")),
    ("topic longer than the packet", packet(0x30, b"\x00\x10ab")),
    ("remaining length of 5 bytes", b"\x30\xff\xff\xff\xff\x7f"),
    ("reserved packet type 0", packet(0x00, b"")),
    ("reserved packet type 15", packet(0xF0, b"")),
    ("a second CONNECT", connect(b"again")),
    ("a CONNACK from a client", packet(0x20, b"\x00\x00")),
]

SMALL = {"MQTTGATE_MQTT__MAX_PAYLOAD_SIZE": "100", "MQTTGATE_MQTT__MAX_PACKET_SIZE": "1000"}


@pytest.mark.parametrize("gate", [SMALL], indirect=True)
def test_each_violation_closes_the_connection_before_any_answer(gate):
    failures = []
    for name, data in VIOLATIONS:
        raw = connected(gate.mqtt_port)
        try:
            answered, closed = raw.write(data).until_closed()
        finally:
            raw.close()
        if answered or not closed:
            failures.append((name, answered, closed))
    assert failures == []
    # and what is well formed is still answered
    raw = connected(gate.mqtt_port)
    try:
        raw.write(publish(b"t/ok", b"x" * 100, qos=1, packet_id=7))
        assert raw.recv_exactly(4) == b"\x40\x02\x00\x07"  # PUBACK
        raw.write(subscribe((b"a/+", 1), packet_id=8))
        assert raw.recv_exactly(5) == b"\x90\x03\x00\x08\x01"  # SUBACK
    finally:
        raw.close()


@pytest.mark.parametrize("gate", [SMALL], indirect=True)
def test_a_packet_over_max_packet_size_is_refused_from_its_fixed_header(gate):
    # 100 MB announced, none of it sent: closed at once, not after buffering
    raw = connected(gate.mqtt_port)
    try:
        raw.write(b"\x30" + length(100 * 1024 * 1024))
        assert raw.until_closed() == (b"", True)
    finally:
        raw.close()
    raw = RawClient(gate.mqtt_port)  # a CONNECT too
    try:
        raw.write(b"\x10" + length(100 * 1024 * 1024))
        assert raw.until_closed() == (b"", True)
    finally:
        raw.close()


def test_a_rejected_publish_is_consumed_whole_and_its_payload_not_parsed_as_packets(gate, mqtt_client):
    subscriber = mqtt_client("sub")
    subscriber.subscribe("inj/#")
    smuggled = publish(b"inj/smuggled", b"gotcha") + b"\xc0\x00"  # a PUBLISH and a PINGREQ
    raw = connected(gate.mqtt_port, b"smuggler")
    try:
        raw.write(publish(b"w/+", smuggled))
        answered, closed = raw.until_closed()
    finally:
        raw.close()
    assert (answered, closed) == (b"", True)  # no PINGRESP
    time.sleep(0.5)
    assert subscriber.messages == []


def test_packets_split_across_reads_and_back_to_back_are_framed_exactly(gate, mqtt_client):
    subscriber = mqtt_client("sub")
    subscriber.subscribe("f/#")
    raw = connected(gate.mqtt_port, b"framer")
    try:
        data = publish(b"f/1", b"one") + publish(b"f/2", b"\xc0\x00") + b"\xc0\x00"
        for i in range(len(data)):  # one byte at a time
            raw.write(data[i:i + 1])
        assert raw.recv_exactly(2) == PINGRESP
    finally:
        raw.close()
    assert wait_for(lambda: len(subscriber.messages) == 2)
    assert [(m.topic, m.payload) for m in subscriber.messages] == [("f/1", b"one"), ("f/2", b"\xc0\x00")]


# CONNECTs: closed without CONNACK when malformed, CONNACK "not authorized" when the will
# is one no PUBLISH could carry
CONNECTS = [
    ("invalid utf8 client id", connect(b"c\xff"), b""),
    ("NUL in client id", connect(b"c\x00"), b""),
    ("invalid utf8 username", connect(b"c", username=b"u\xc3"), b""),
    ("NUL in username", connect(b"c", username=b"u\x00"), b""),
    ("invalid utf8 will topic", connect(b"c", will=(b"w/\xff\xfe", b"x")), b""),
    ("NUL in will topic", connect(b"c", will=(b"w/\x00", b"x")), b""),
    ("wildcard will topic", connect(b"c", will=(b"pz/+", b"x")), NOT_AUTHORIZED),
    ("$SYS will topic", connect(b"c", will=(b"$SYS/fake", b"x")), NOT_AUTHORIZED),
    ("empty will topic", connect(b"c", will=(b"", b"x")), NOT_AUTHORIZED),
    ("will over max_payload_size", connect(b"c", will=(b"w/big", b"x" * 101)), NOT_AUTHORIZED),
    ("CONNECT over max_packet_size", connect(b"c", will=(b"w/big", b"x" * 1000)), b""),
    ("PUBLISH before CONNECT", publish(b"t"), b""),
]


@pytest.mark.parametrize("gate", [SMALL], indirect=True)
def test_each_bad_connect_is_refused(gate, mqtt_client):
    subscriber = mqtt_client("watcher")
    subscriber.subscribe("#")
    failures = []
    for name, data, expected in CONNECTS:
        raw = RawClient(gate.mqtt_port)
        try:
            answered, closed = raw.write(data).until_closed()
        finally:
            raw.close()
        if answered != expected or not closed:
            failures.append((name, answered, closed))
    assert failures == []
    assert gate.http.get("/clients").json()["data"][0]["clientid"] == "watcher"  # nothing left behind
    time.sleep(0.5)
    assert subscriber.messages == []  # no will was published
    # a will of max_payload_size on a good topic is accepted, and published when the connection drops
    raw = RawClient(gate.mqtt_port).write(connect(b"c", will=(b"w/ok", b"x" * 100)))
    assert raw.recv_exactly(4) == ACCEPTED
    raw.close()
    assert wait_for(lambda: [(m.topic, len(m.payload)) for m in subscriber.messages] == [("w/ok", 100)])


def test_a_will_the_acl_denies_to_its_client_is_not_published(gate, mqtt_client):
    rules = [{"clientid": "dev", "rules": [{"topic": "w/secret", "permission": "deny", "action": "publish"}]}]
    created = gate.http.post("/authorization/sources/built_in_database/rules/clients", json=rules)
    assert created.status_code in (200, 201, 204), created.text
    subscriber = mqtt_client("watcher")
    subscriber.subscribe("w/#")
    for topic in (b"w/secret", b"w/open"):
        raw = RawClient(gate.mqtt_port).write(connect(b"dev", will=(topic, b"gone")))
        assert raw.recv_exactly(4) == ACCEPTED
        raw.close()  # no DISCONNECT: the will is due
    assert wait_for(lambda: subscriber.messages)
    time.sleep(0.5)
    assert [m.topic for m in subscriber.messages] == ["w/open"]
