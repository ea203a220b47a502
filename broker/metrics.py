"""The broker's counters: plain ints bumped in place on the MQTT path (one event loop: no tasks, no locks).

Names are EMQX's (`messages.received`, `packets.publish.sent`, `connections.max` ...), so that
what operators know from EMQX reads the same here.
"""

from __future__ import annotations

from collections.abc import Mapping

# MQTT 3.1.1 control packet types (§2.2.1) a broker reads, and those it writes; a client may send
# what only a server sends, which is then counted in packets.received alone
_RECEIVED = {1: "connect", 3: "publish", 4: "puback", 5: "pubrec", 6: "pubrel", 7: "pubcomp", 8: "subscribe",
             10: "unsubscribe", 12: "pingreq", 14: "disconnect"}
_SENT = {2: "connack", 3: "publish", 4: "puback", 5: "pubrec", 6: "pubrel", 7: "pubcomp", 9: "suback",
         11: "unsuback", 13: "pingresp"}
CONNECT, CONNACK, PUBLISH, SUBACK = 1, 2, 3, 9
_CONNACK_AUTH_ERRORS = (4, 5)  # bad user name or password, not authorized

METRICS: dict[str, str] = {
    "bytes.received": "Bytes of MQTT packets received",
    "bytes.sent": "Bytes of MQTT packets sent",
    "packets.received": "MQTT packets received",
    "packets.sent": "MQTT packets sent",
    "packets.connect.received": "CONNECT packets received",
    "packets.connack.sent": "CONNACK packets sent",
    "packets.connack.error": "CONNACK packets sent refusing the connection",
    "packets.connack.auth_error": "CONNACK packets refusing bad credentials or an unauthorized client (code 4 or 5)",
    "packets.publish.received": "PUBLISH packets received, retransmissions included",
    "packets.publish.sent": "PUBLISH packets sent, retransmissions included",
    "packets.publish.error": "PUBLISH packets received to an invalid topic or over mqtt.max_payload_size (the "
                             "connection is closed)",
    "packets.publish.auth_error": "PUBLISH packets received that authorization denied",
    "packets.puback.received": "PUBACK packets received",
    "packets.puback.sent": "PUBACK packets sent",
    "packets.pubrec.received": "PUBREC packets received",
    "packets.pubrec.sent": "PUBREC packets sent",
    "packets.pubrel.received": "PUBREL packets received",
    "packets.pubrel.sent": "PUBREL packets sent",
    "packets.pubcomp.received": "PUBCOMP packets received",
    "packets.pubcomp.sent": "PUBCOMP packets sent",
    "packets.subscribe.received": "SUBSCRIBE packets received",
    "packets.subscribe.error": "SUBSCRIBE packets answered with at least one failure (0x80)",
    "packets.suback.sent": "SUBACK packets sent",
    "packets.unsubscribe.received": "UNSUBSCRIBE packets received",
    "packets.unsuback.sent": "UNSUBACK packets sent",
    "packets.pingreq.received": "PINGREQ packets received",
    "packets.pingresp.sent": "PINGRESP packets sent",
    "packets.disconnect.received": "DISCONNECT packets received",
    "messages.received": "Messages received from MQTT clients (a QoS 2 one once its flow completes)",
    "messages.sent": "Messages sent to MQTT clients, retransmissions not counted",
    "messages.qos0.received": "QoS 0 messages received from MQTT clients",
    "messages.qos0.sent": "QoS 0 messages sent to MQTT clients",
    "messages.qos1.received": "QoS 1 messages received from MQTT clients",
    "messages.qos1.sent": "QoS 1 messages sent to MQTT clients",
    "messages.qos2.received": "QoS 2 messages received from MQTT clients",
    "messages.qos2.sent": "QoS 2 messages sent to MQTT clients",
    "messages.publish": "Messages routed to the subscriptions: from clients, from the API, and wills",
    "messages.dropped": "Messages that reached no subscription: none matched, publishing was denied, or the topic "
                        "was invalid",
    "messages.dropped.no_subscribers": "Messages routed that matched no subscription",
    "delivery.dropped": "Messages a matching subscription did not get: its client may not receive them, it is "
                        "offline and the message is not queued (QoS 0, or a clean session), or its full "
                        "offline queue dropped them",
    "delivery.dropped.queue_full": "Queued messages dropped, oldest first, from an offline session's full queue",
    "client.connect": "CONNECT packets received",
    "client.connack": "CONNACK packets sent",
    "client.connected": "Connections accepted",
    "client.disconnected": "Accepted connections that have ended",
    "client.authenticate": "Authentications of a CONNECT",
    "client.auth.failure": "Authentications that failed",
    "authentication.success": "Authentications that succeeded",
    "authentication.success.anonymous": "Authentications that succeeded without a username",
    "authentication.failure": "Authentications that failed",
    "authorization.allow": "Authorization checks that allowed a publish, subscribe or receive",
    "authorization.deny": "Authorization checks that denied a publish, subscribe or receive",
    "session.created": "Sessions created",
    "session.resumed": "Stored sessions a CONNECT without clean session resumed",
    "session.takenover": "Resumed sessions whose client was still connected (that connection is closed)",
    "session.discarded": "Stored sessions a CONNECT with clean session discarded",
}
"""Every counter and what it counts, in the order `/metrics` lists them."""

GAUGES: dict[str, str] = {
    "connections": "Client sessions, connected or offline (EMQX counts an offline session as a connection)",
    "live_connections": "Connected clients",
    "sessions": "Client sessions, connected or offline",
    "subscriptions": "Subscriptions",
    "topics": "Topic filters with at least one subscription",
    "retained": "Retained messages",
}
"""The gauges `/stats` gives as `<gauge>.count` (now) and `<gauge>.max` (highest since start)."""

_RECEIVED_NAMES = {kind: f"packets.{name}.received" for kind, name in _RECEIVED.items()}
_SENT_NAMES = {kind: f"packets.{name}.sent" for kind, name in _SENT.items()}
_QOS_RECEIVED = ("messages.qos0.received", "messages.qos1.received", "messages.qos2.received")
_QOS_SENT = ("messages.qos0.sent", "messages.qos1.sent", "messages.qos2.sent")


def wire_size(remaining_length: int) -> int:
    """Bytes of a whole MQTT packet: its first byte, the remaining length's varint (§2.2.3), the rest."""
    if remaining_length < 128:
        return remaining_length + 2
    if remaining_length < 16_384:
        return remaining_length + 3
    return remaining_length + (4 if remaining_length < 2_097_152 else 5)


class Traffic:
    """What one client connection carried, under the names EMQX gives them on a client."""

    __slots__ = ("recv_msg", "recv_oct", "recv_pkt", "send_msg", "send_oct", "send_pkt")

    def __init__(self) -> None:
        self.recv_pkt = self.recv_oct = self.recv_msg = 0
        self.send_pkt = self.send_oct = self.send_msg = 0


class Metrics:
    """The broker's counters since start, and the highest value each gauge has reached.

    What every packet or message bumps is kept in lists indexed by packet type or QoS (the
    cheapest thing to bump); the rest in `counts`. `snapshot()` gives them all by name.

    Attributes:
        counts: every name of `METRICS` and its count, but for those kept in the lists (0 here).
        received: packets read, by MQTT packet type; `sent` alike.
        bytes_received: bytes of the packets read; `bytes_sent` alike.
        messages_received: messages from clients, by QoS; `messages_sent` alike.
        live_connections: clients connected now (kept here for its peak).
        subscriptions: subscriptions with a live route now (kept here for its peak).
        topics: topic filters with at least one subscription now (kept here for its peak).
        peaks: the highest value each name of `GAUGES` has reached.
    """

    __slots__ = ("bytes_received", "bytes_sent", "counts", "live_connections", "messages_received",
                 "messages_sent", "peaks", "received", "sent", "subscriptions", "topics")

    def __init__(self) -> None:
        self.counts: dict[str, int] = dict.fromkeys(METRICS, 0)
        self.received, self.sent = [0] * 16, [0] * 16
        self.bytes_received = self.bytes_sent = 0
        self.messages_received, self.messages_sent = [0, 0, 0], [0, 0, 0]
        self.live_connections = self.subscriptions = self.topics = 0
        self.peaks: dict[str, int] = dict.fromkeys(GAUGES, 0)

    def snapshot(self) -> dict[str, int]:
        """Every counter of `METRICS`, by name, in its order."""
        out = dict(self.counts)
        out["bytes.received"], out["bytes.sent"] = self.bytes_received, self.bytes_sent
        out["packets.received"], out["packets.sent"] = sum(self.received), sum(self.sent)
        for kind, name in _RECEIVED_NAMES.items():
            out[name] = self.received[kind]
        for kind, name in _SENT_NAMES.items():
            out[name] = self.sent[kind]
        out["client.connect"] = self.received[CONNECT]
        out["messages.received"], out["messages.sent"] = sum(self.messages_received), sum(self.messages_sent)
        for qos in range(3):
            out[_QOS_RECEIVED[qos]], out[_QOS_SENT[qos]] = self.messages_received[qos], self.messages_sent[qos]
        return out

    def peak(self, gauge: str, value: int) -> None:
        if value > self.peaks[gauge]:
            self.peaks[gauge] = value

    def stats(self, current: Mapping[str, int]) -> dict[str, int]:
        """`<gauge>.count` and `<gauge>.max` for each gauge, from its `current` value and its peak."""
        out = {}
        for gauge in GAUGES:
            out[f"{gauge}.count"] = current[gauge]
            out[f"{gauge}.max"] = max(self.peaks[gauge], current[gauge])
        return out

    # The two below run for every packet: one call each, the common case inline.
    def packet_received(self, kind: int, remaining_length: int, traffic: Traffic) -> None:
        """A packet was read; `remaining_length` is its fixed header's."""
        size = remaining_length + 2 if remaining_length < 128 else wire_size(remaining_length)
        self.received[kind] += 1
        self.bytes_received += size
        traffic.recv_pkt += 1
        traffic.recv_oct += size

    def packet_sent(self, kind: int, flags: int, remaining_length: int, traffic: Traffic) -> None:
        """A packet was written; `flags` are the low 4 bits of its first byte."""
        size = remaining_length + 2 if remaining_length < 128 else wire_size(remaining_length)
        self.sent[kind] += 1
        self.bytes_sent += size
        traffic.send_pkt += 1
        traffic.send_oct += size
        if kind == PUBLISH and not flags & 0x08:  # DUP: a retransmission is not another message
            self.messages_sent[flags >> 1 & 0x03] += 1
            traffic.send_msg += 1

    def connack_sent(self, return_code: int) -> None:
        counts = self.counts
        counts["client.connack"] += 1
        if return_code == 0:
            counts["client.connected"] += 1
            self.live_connections += 1
            self.peak("live_connections", self.live_connections)
            return
        counts["packets.connack.error"] += 1
        if return_code in _CONNACK_AUTH_ERRORS:
            counts["packets.connack.auth_error"] += 1

    def client_disconnected(self) -> None:
        self.counts["client.disconnected"] += 1
        self.live_connections -= 1

    def message_received(self, qos: int) -> None:
        self.messages_received[qos] += 1

    def message_routed(self, subscriptions: int) -> None:
        """A published message was matched against the routes: `subscriptions` matched it."""
        counts = self.counts
        counts["messages.publish"] += 1
        if not subscriptions:
            counts["messages.dropped"] += 1
            counts["messages.dropped.no_subscribers"] += 1

    def authenticated(self, accepted: bool, *, anonymous: bool) -> None:
        counts = self.counts
        counts["client.authenticate"] += 1
        if accepted:
            counts["authentication.success"] += 1
            if anonymous:
                counts["authentication.success.anonymous"] += 1
        else:
            counts["authentication.failure"] += 1
            counts["client.auth.failure"] += 1

    def session_started(self, *, resumed: bool, taken_over: bool, discarded: bool) -> None:
        counts = self.counts
        counts["session.resumed" if resumed else "session.created"] += 1
        if taken_over:
            counts["session.takenover"] += 1
        if discarded:
            counts["session.discarded"] += 1


# Every node holds all of these (the cluster shares them): the cluster's count is one node's, not a sum.
CLUSTER_WIDE_GAUGES = ("retained",)


def cluster_total(per_node: dict[str, dict[str, int]], here: str) -> dict[str, int]:
    """The cluster's stats or metrics as EMQX aggregates them: each value summed over the nodes (highest
    values too), but a cluster-wide gauge's taken from the node `here`.

    Args:
        per_node: each node's values by name (`here` among them).
    """
    total: dict[str, int] = {}
    for values in per_node.values():
        for key, value in values.items():
            total[key] = total.get(key, 0) + value
    for key, value in per_node[here].items():
        if key.split(".", 1)[0] in CLUSTER_WIDE_GAUGES:
            total[key] = value
    return total
