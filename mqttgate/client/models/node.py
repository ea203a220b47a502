from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.node_node_status import NodeNodeStatus

if TYPE_CHECKING:
    from ..models.listener_status import ListenerStatus


T = TypeVar("T", bound="Node")


@_attrs_define
class Node:
    """
    Attributes:
        node (str):
        node_status (NodeNodeStatus):
        version (str): mqttgate's version
        uptime (int): Seconds since the broker started
        started_at (datetime.datetime):
        python_version (str):
        memory_total (int): The host's memory, bytes
        memory_used (int): The host's memory in use (total less available), bytes
        process_memory (int): This process's resident memory, bytes
        load1 (float): Load average over 1 minute
        load5 (float): Load average over 5 minutes
        load15 (float): Load average over 15 minutes
        max_fds (int): This process's file descriptor limit, 0 for none
        connections (int): Client sessions, connected or offline
        live_connections (int): Connected clients
        listeners (list[ListenerStatus]):
    """

    node: str
    node_status: NodeNodeStatus
    version: str
    uptime: int
    started_at: datetime.datetime
    python_version: str
    memory_total: int
    memory_used: int
    process_memory: int
    load1: float
    load5: float
    load15: float
    max_fds: int
    connections: int
    live_connections: int
    listeners: list[ListenerStatus]

    def to_dict(self) -> dict[str, Any]:
        node = self.node

        node_status = self.node_status.value

        version = self.version

        uptime = self.uptime

        started_at = self.started_at.isoformat()

        python_version = self.python_version

        memory_total = self.memory_total

        memory_used = self.memory_used

        process_memory = self.process_memory

        load1 = self.load1

        load5 = self.load5

        load15 = self.load15

        max_fds = self.max_fds

        connections = self.connections

        live_connections = self.live_connections

        listeners = []
        for listeners_item_data in self.listeners:
            listeners_item = listeners_item_data.to_dict()
            listeners.append(listeners_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "node": node,
                "node_status": node_status,
                "version": version,
                "uptime": uptime,
                "started_at": started_at,
                "python_version": python_version,
                "memory_total": memory_total,
                "memory_used": memory_used,
                "process_memory": process_memory,
                "load1": load1,
                "load5": load5,
                "load15": load15,
                "max_fds": max_fds,
                "connections": connections,
                "live_connections": live_connections,
                "listeners": listeners,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.listener_status import ListenerStatus

        d = dict(src_dict)
        node = d.pop("node")

        node_status = NodeNodeStatus(d.pop("node_status"))

        version = d.pop("version")

        uptime = d.pop("uptime")

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))

        python_version = d.pop("python_version")

        memory_total = d.pop("memory_total")

        memory_used = d.pop("memory_used")

        process_memory = d.pop("process_memory")

        load1 = d.pop("load1")

        load5 = d.pop("load5")

        load15 = d.pop("load15")

        max_fds = d.pop("max_fds")

        connections = d.pop("connections")

        live_connections = d.pop("live_connections")

        listeners = []
        _listeners = d.pop("listeners")
        for listeners_item_data in _listeners:
            listeners_item = ListenerStatus.from_dict(listeners_item_data)

            listeners.append(listeners_item)

        node = cls(
            node=node,
            node_status=node_status,
            version=version,
            uptime=uptime,
            started_at=started_at,
            python_version=python_version,
            memory_total=memory_total,
            memory_used=memory_used,
            process_memory=process_memory,
            load1=load1,
            load5=load5,
            load15=load15,
            max_fds=max_fds,
            connections=connections,
            live_connections=live_connections,
            listeners=listeners,
        )

        return node
