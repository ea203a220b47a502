from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.listener_status_type import ListenerStatusType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.listener_node_status import ListenerNodeStatus


T = TypeVar("T", bound="ListenerStatus")


@_attrs_define
class ListenerStatus:
    """
    Example:
        {'id': 'tcp:default', 'name': 'default', 'type': 'tcp', 'bind': '127.0.0.1:1883', 'running': True,
            'current_connections': 3, 'max_connections': 0, 'number': 2, 'node_status': [{'node': 'mqttgate@broker-1',
            'bind': '127.0.0.1:1883', 'status': {'running': True, 'current_connections': 1, 'max_connections': 0}}, {'node':
            'mqttgate@broker-2', 'bind': '127.0.0.1:1884', 'status': {'running': True, 'current_connections': 2,
            'max_connections': 0}}]}

    Attributes:
        id (str): type:name
        name (str):
        type_ (ListenerStatusType): http: the REST API
        bind (str): host:port actually bound
        running (bool):
        current_connections (int | Unset): Open connections, CONNECT not yet sent included; MQTT listeners only
        max_connections (int | Unset): The configured limit, 0 for none; MQTT listeners only
        number (int | Unset): In a cluster: how many nodes have it (EMQX)
        node_status (list[ListenerNodeStatus] | Unset): In a cluster, each node's own status of this listener, nodes by
            name (EMQX)
    """

    id: str
    name: str
    type_: ListenerStatusType
    bind: str
    running: bool
    current_connections: int | Unset = UNSET
    max_connections: int | Unset = UNSET
    number: int | Unset = UNSET
    node_status: list[ListenerNodeStatus] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        type_ = self.type_.value

        bind = self.bind

        running = self.running

        current_connections = self.current_connections

        max_connections = self.max_connections

        number = self.number

        node_status: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.node_status, Unset):
            node_status = []
            for node_status_item_data in self.node_status:
                node_status_item = node_status_item_data.to_dict()
                node_status.append(node_status_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
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
        if number is not UNSET:
            field_dict["number"] = number
        if node_status is not UNSET:
            field_dict["node_status"] = node_status

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.listener_node_status import ListenerNodeStatus

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        type_ = ListenerStatusType(d.pop("type"))

        bind = d.pop("bind")

        running = d.pop("running")

        current_connections = d.pop("current_connections", UNSET)

        max_connections = d.pop("max_connections", UNSET)

        number = d.pop("number", UNSET)

        _node_status = d.pop("node_status", UNSET)
        node_status: list[ListenerNodeStatus] | Unset = UNSET
        if _node_status is not UNSET:
            node_status = []
            for node_status_item_data in _node_status:
                node_status_item = ListenerNodeStatus.from_dict(node_status_item_data)

                node_status.append(node_status_item)

        listener_status = cls(
            id=id,
            name=name,
            type_=type_,
            bind=bind,
            running=running,
            current_connections=current_connections,
            max_connections=max_connections,
            number=number,
            node_status=node_status,
        )

        return listener_status
