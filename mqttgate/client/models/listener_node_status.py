from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.listener_node_status_status import ListenerNodeStatusStatus


T = TypeVar("T", bound="ListenerNodeStatus")


@_attrs_define
class ListenerNodeStatus:
    """
    Attributes:
        node (str):
        bind (str): host:port actually bound on that node
        status (ListenerNodeStatusStatus):
    """

    node: str
    bind: str
    status: ListenerNodeStatusStatus

    def to_dict(self) -> dict[str, Any]:
        node = self.node

        bind = self.bind

        status = self.status.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "node": node,
                "bind": bind,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.listener_node_status_status import ListenerNodeStatusStatus

        d = dict(src_dict)
        node = d.pop("node")

        bind = d.pop("bind")

        status = ListenerNodeStatusStatus.from_dict(d.pop("status"))

        listener_node_status = cls(
            node=node,
            bind=bind,
            status=status,
        )

        return listener_node_status
