from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ListenerNodeStatusStatus")


@_attrs_define
class ListenerNodeStatusStatus:
    """
    Attributes:
        running (bool):
        current_connections (int | Unset): MQTT listeners only
        max_connections (int | Unset): 0 for none; MQTT listeners only
    """

    running: bool
    current_connections: int | Unset = UNSET
    max_connections: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        running = self.running

        current_connections = self.current_connections

        max_connections = self.max_connections

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "running": running,
            }
        )
        if current_connections is not UNSET:
            field_dict["current_connections"] = current_connections
        if max_connections is not UNSET:
            field_dict["max_connections"] = max_connections

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        running = d.pop("running")

        current_connections = d.pop("current_connections", UNSET)

        max_connections = d.pop("max_connections", UNSET)

        listener_node_status_status = cls(
            running=running,
            current_connections=current_connections,
            max_connections=max_connections,
        )

        return listener_node_status_status
