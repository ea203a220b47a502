from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.listener_type import ListenerType
from ..types import UNSET, Unset

T = TypeVar("T", bound="Listener")


@_attrs_define
class Listener:
    """
    Attributes:
        name (str):
        type_ (ListenerType):
        bind (str): host:port actually bound
        running (bool):
        current_connections (int | Unset): Open connections, CONNECT not yet sent included
        max_connections (int | Unset): The configured limit, 0 for none
    """

    name: str
    type_: ListenerType
    bind: str
    running: bool
    current_connections: int | Unset = UNSET
    max_connections: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        type_ = self.type_.value

        bind = self.bind

        running = self.running

        current_connections = self.current_connections

        max_connections = self.max_connections

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "type": type_,
                "bind": bind,
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
        name = d.pop("name")

        type_ = ListenerType(d.pop("type"))

        bind = d.pop("bind")

        running = d.pop("running")

        current_connections = d.pop("current_connections", UNSET)

        max_connections = d.pop("max_connections", UNSET)

        listener = cls(
            name=name,
            type_=type_,
            bind=bind,
            running=running,
            current_connections=current_connections,
            max_connections=max_connections,
        )

        return listener
