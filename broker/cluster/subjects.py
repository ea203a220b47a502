"""MQTT topics and filters as NATS subjects, losslessly, and the envelope a routed message travels in.

nats-server's own MQTT gateway (server/mqtt.go) maps `/` to `.` and escapes a `.` inside a
level; it cannot tell a level "a b" from others once spaces are dropped and has no
token for an empty level. Here every level becomes one token, percent-encoding each byte
a NATS token may not hold (`.`, `*`, `>`, whitespace, control and non-ASCII bytes, and
`%` itself), and an empty level is the token `%` alone, which no non-empty level can
encode to. Topics starting with `$` live under their own root, so that a filter with a
leading wildcard (whose subjects are under the plain root) never hears them
[MQTT-4.7.2-1]. A filter ending in `#` also matches its parent level [MQTT-4.7.1-2],
which NATS's `>` does not: it maps to both subjects.

No NATS import here: the mapping is plain text work, tested on its own.
"""

from __future__ import annotations

import re
import struct
from functools import lru_cache

PLAIN = "mqttgate.m"  # topics not starting with '$'
DOLLAR = "mqttgate.d"  # topics starting with '$'; as long as PLAIN
EMPTY = "%"

_SAFE = re.compile(r"[!-$&-)+-\-/-=?-~]+")  # printable ASCII less '%', '*', '.', '>'


def _token(level: str) -> str:
    if not level:
        return EMPTY
    if _SAFE.fullmatch(level):
        return level
    return "".join(chr(b) if (0x21 <= b <= 0x7E and b not in b"%*.>") else f"%{b:02X}"
                   for b in level.encode("utf-8", "surrogatepass"))


def _level(token: str) -> str:
    if token == EMPTY:
        return ""
    if "%" not in token:
        return token
    out = bytearray()
    i = 0
    while i < len(token):
        if token[i] == "%":
            out.append(int(token[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(ord(token[i]))
            i += 1
    return out.decode("utf-8", "surrogatepass")


@lru_cache(maxsize=4096)
def topic_subject(topic: str) -> str:
    """The NATS subject a message published to MQTT topic `topic` travels on."""
    root = DOLLAR if topic.startswith("$") else PLAIN
    return root + "." + ".".join(map(_token, topic.split("/")))


def subject_topic(subject: str) -> str:
    """The MQTT topic of a subject made by `topic_subject`."""
    rest = subject[len(PLAIN) + 1:]  # both roots are as long
    return "/".join(map(_level, rest.split(".")))


def filter_subjects(topic_filter: str) -> list[str]:
    """The NATS subjects that together carry every message matching a (valid) MQTT topic filter.

    They may carry a little more (never less): the receiving node matches each message
    against its own filters again before delivery.
    """
    levels = topic_filter.split("/")
    root = DOLLAR if levels[0].startswith("$") else PLAIN
    tokens = ["*" if level == "+" else ">" if level == "#" else _token(level) for level in levels]
    subjects = [root + "." + ".".join(tokens)]
    if tokens[-1] == ">" and len(tokens) > 1:
        subjects.append(root + "." + ".".join(tokens[:-1]))
    return subjects


# The envelope: flags (QoS in the low 2 bits), the origin node's 8-byte id, the origin's
# sequence number (so that a node whose subscriptions overlap delivers a message once).
_HEAD = struct.Struct(">B8sQ")
HEAD_SIZE = _HEAD.size


def envelope(qos: int, origin: bytes, seq: int, payload: bytes | bytearray) -> bytes:
    return _HEAD.pack(qos, origin, seq) + payload


def open_envelope(data: bytes) -> tuple[int, bytes, bytes]:
    """(QoS, the message's cluster-wide id, the payload) of an enveloped message."""
    return data[0] & 0x03, data[1:HEAD_SIZE], data[HEAD_SIZE:]


def node_token(node: str) -> str:
    """A node name as one subject token (names hold dots: host names)."""
    return _token(node)
