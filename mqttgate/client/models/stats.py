from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Stats")


@_attrs_define
class Stats:
    """Each gauge now (`.count`) and at its highest since the broker started (`.max`)

    Attributes:
        connections_count (int): Client sessions, connected or offline (EMQX counts an offline session as a connection):
            now
        connections_max (int): Client sessions, connected or offline (EMQX counts an offline session as a connection):
            highest since start
        live_connections_count (int): Connected clients: now
        live_connections_max (int): Connected clients: highest since start
        sessions_count (int): Client sessions, connected or offline: now
        sessions_max (int): Client sessions, connected or offline: highest since start
        subscriptions_count (int): Subscriptions: now
        subscriptions_max (int): Subscriptions: highest since start
        topics_count (int): Topic filters with at least one subscription: now
        topics_max (int): Topic filters with at least one subscription: highest since start
        retained_count (int): Retained messages: now
        retained_max (int): Retained messages: highest since start
        node (str | Unset): Left out when aggregated, and in one node's (/nodes/{node}/stats)
    """

    connections_count: int
    connections_max: int
    live_connections_count: int
    live_connections_max: int
    sessions_count: int
    sessions_max: int
    subscriptions_count: int
    subscriptions_max: int
    topics_count: int
    topics_max: int
    retained_count: int
    retained_max: int
    node: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        connections_count = self.connections_count

        connections_max = self.connections_max

        live_connections_count = self.live_connections_count

        live_connections_max = self.live_connections_max

        sessions_count = self.sessions_count

        sessions_max = self.sessions_max

        subscriptions_count = self.subscriptions_count

        subscriptions_max = self.subscriptions_max

        topics_count = self.topics_count

        topics_max = self.topics_max

        retained_count = self.retained_count

        retained_max = self.retained_max

        node = self.node

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "connections.count": connections_count,
                "connections.max": connections_max,
                "live_connections.count": live_connections_count,
                "live_connections.max": live_connections_max,
                "sessions.count": sessions_count,
                "sessions.max": sessions_max,
                "subscriptions.count": subscriptions_count,
                "subscriptions.max": subscriptions_max,
                "topics.count": topics_count,
                "topics.max": topics_max,
                "retained.count": retained_count,
                "retained.max": retained_max,
            }
        )
        if node is not UNSET:
            field_dict["node"] = node

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        connections_count = d.pop("connections.count")

        connections_max = d.pop("connections.max")

        live_connections_count = d.pop("live_connections.count")

        live_connections_max = d.pop("live_connections.max")

        sessions_count = d.pop("sessions.count")

        sessions_max = d.pop("sessions.max")

        subscriptions_count = d.pop("subscriptions.count")

        subscriptions_max = d.pop("subscriptions.max")

        topics_count = d.pop("topics.count")

        topics_max = d.pop("topics.max")

        retained_count = d.pop("retained.count")

        retained_max = d.pop("retained.max")

        node = d.pop("node", UNSET)

        stats = cls(
            connections_count=connections_count,
            connections_max=connections_max,
            live_connections_count=live_connections_count,
            live_connections_max=live_connections_max,
            sessions_count=sessions_count,
            sessions_max=sessions_max,
            subscriptions_count=subscriptions_count,
            subscriptions_max=subscriptions_max,
            topics_count=topics_count,
            topics_max=topics_max,
            retained_count=retained_count,
            retained_max=retained_max,
            node=node,
        )

        return stats
