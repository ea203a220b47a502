"""The broker's counters: plain ints bumped in place on the MQTT path (one event loop: no tasks, no locks).

Names are EMQX's (`messages.received`, `packets.publish.sent`, `connections.max` ...), so that
what operators know from EMQX reads the same here.
"""

from __future__ import annotations

from collections.abc import Mapping

# MQTT 3.1.1 control packet types (§2.2.1) a broker reads, and those it writes
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
    "packets.publish.error": "PUBLISH packets received to an invalid topic (the connection is closed)",
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
    "delivery.dropped": "Messages a matching subscription did not get: its client may not receive them, or it is "
                        "offline and the message is not queued (QoS 0, or a clean session)",
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

    Attributes:
        counts: every name of `METRICS` and its count.
        live_connections: clients connected now (kept here for its peak).
        subscriptions: subscriptions with a live route now (kept here for its peak).
        topics: topic filters with at least one subscription now (kept here for its peak).
        peaks: the highest value each name of `GAUGES` has reached.
    """

    __slots__ = ("counts", "live_connections", "peaks", "subscriptions", "topics")

    def __init__(self) -> None:
        self.counts: dict[str, int] = dict.fromkeys(METRICS, 0)
        self.live_connections = self.subscriptions = self.topics = 0
        self.peaks: dict[str, int] = dict.fromkeys(GAUGES, 0)

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

    def packet_received(self, kind: int, size: int) -> None:
        counts = self.counts
        counts["packets.received"] += 1
        counts["bytes.received"] += size
        name = _RECEIVED_NAMES.get(kind)
        if name is not None:  # a client may send what only a server sends; it is counted above only
            counts[name] += 1
        if kind == CONNECT:
            counts["client.connect"] += 1

    def packet_sent(self, kind: int, size: int) -> None:
        counts = self.counts
        counts["packets.sent"] += 1
        counts["bytes.sent"] += size
        counts[_SENT_NAMES[kind]] += 1

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
        counts = self.counts
        counts["messages.received"] += 1
        counts[_QOS_RECEIVED[qos]] += 1

    def message_sent(self, qos: int) -> None:
        counts = self.counts
        counts["messages.sent"] += 1
        counts[_QOS_SENT[qos]] += 1

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

    def authorized(self, allowed: bool) -> None:
        self.counts["authorization.allow" if allowed else "authorization.deny"] += 1

    def session_started(self, *, resumed: bool, taken_over: bool, discarded: bool) -> None:
        counts = self.counts
        counts["session.resumed" if resumed else "session.created"] += 1
        if taken_over:
            counts["session.takenover"] += 1
        if discarded:
            counts["session.discarded"] += 1
