from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="MonitorCurrent")


@_attrs_define
class MonitorCurrent:
    """
    Attributes:
        connections (int):
        live_connections (int):
        sessions (int):
        subscriptions (int):
        topics (int):
        retained_msg_count (int):
        received_msg_rate (float): Messages per second
        sent_msg_rate (float): Messages per second
        dropped_msg_rate (float): Messages per second
        nodes (int | Unset): Nodes summed (the cluster-wide answer only)
    """

    connections: int
    live_connections: int
    sessions: int
    subscriptions: int
    topics: int
    retained_msg_count: int
    received_msg_rate: float
    sent_msg_rate: float
    dropped_msg_rate: float
    nodes: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        connections = self.connections

        live_connections = self.live_connections

        sessions = self.sessions

        subscriptions = self.subscriptions

        topics = self.topics

        retained_msg_count = self.retained_msg_count

        received_msg_rate = self.received_msg_rate

        sent_msg_rate = self.sent_msg_rate

        dropped_msg_rate = self.dropped_msg_rate

        nodes = self.nodes

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "connections": connections,
                "live_connections": live_connections,
                "sessions": sessions,
                "subscriptions": subscriptions,
                "topics": topics,
                "retained_msg_count": retained_msg_count,
                "received_msg_rate": received_msg_rate,
                "sent_msg_rate": sent_msg_rate,
                "dropped_msg_rate": dropped_msg_rate,
            }
        )
        if nodes is not UNSET:
            field_dict["nodes"] = nodes

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        connections = d.pop("connections")

        live_connections = d.pop("live_connections")

        sessions = d.pop("sessions")

        subscriptions = d.pop("subscriptions")

        topics = d.pop("topics")

        retained_msg_count = d.pop("retained_msg_count")

        received_msg_rate = d.pop("received_msg_rate")

        sent_msg_rate = d.pop("sent_msg_rate")

        dropped_msg_rate = d.pop("dropped_msg_rate")

        nodes = d.pop("nodes", UNSET)

        monitor_current = cls(
            connections=connections,
            live_connections=live_connections,
            sessions=sessions,
            subscriptions=subscriptions,
            topics=topics,
            retained_msg_count=retained_msg_count,
            received_msg_rate=received_msg_rate,
            sent_msg_rate=sent_msg_rate,
            dropped_msg_rate=dropped_msg_rate,
            nodes=nodes,
        )

        return monitor_current
