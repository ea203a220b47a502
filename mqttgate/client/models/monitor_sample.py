from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="MonitorSample")


@_attrs_define
class MonitorSample:
    """
    Example:
        {'time_stamp': 1764633600000, 'connections': 12, 'live_connections': 10, 'sessions': 12, 'subscriptions': 30,
            'topics': 8, 'retained': 3, 'received': 120, 'sent': 340, 'dropped': 0}

    Attributes:
        time_stamp (int): Milliseconds since the epoch
        connections (int): Sessions, offline persistent ones included
        live_connections (int):
        sessions (int):
        subscriptions (int):
        topics (int):
        retained (int): Retained messages
        received (int): Messages received since the sample before
        sent (int): Messages sent since the sample before
        dropped (int): Messages dropped since the sample before
    """

    time_stamp: int
    connections: int
    live_connections: int
    sessions: int
    subscriptions: int
    topics: int
    retained: int
    received: int
    sent: int
    dropped: int

    def to_dict(self) -> dict[str, Any]:
        time_stamp = self.time_stamp

        connections = self.connections

        live_connections = self.live_connections

        sessions = self.sessions

        subscriptions = self.subscriptions

        topics = self.topics

        retained = self.retained

        received = self.received

        sent = self.sent

        dropped = self.dropped

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "time_stamp": time_stamp,
                "connections": connections,
                "live_connections": live_connections,
                "sessions": sessions,
                "subscriptions": subscriptions,
                "topics": topics,
                "retained": retained,
                "received": received,
                "sent": sent,
                "dropped": dropped,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        time_stamp = d.pop("time_stamp")

        connections = d.pop("connections")

        live_connections = d.pop("live_connections")

        sessions = d.pop("sessions")

        subscriptions = d.pop("subscriptions")

        topics = d.pop("topics")

        retained = d.pop("retained")

        received = d.pop("received")

        sent = d.pop("sent")

        dropped = d.pop("dropped")

        monitor_sample = cls(
            time_stamp=time_stamp,
            connections=connections,
            live_connections=live_connections,
            sessions=sessions,
            subscriptions=subscriptions,
            topics=topics,
            retained=retained,
            received=received,
            sent=sent,
            dropped=dropped,
        )

        return monitor_sample
