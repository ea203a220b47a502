from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.status_rest_api import StatusRestApi
from ..models.status_status import StatusStatus

if TYPE_CHECKING:
    from ..models.listener import Listener


T = TypeVar("T", bound="Status")


@_attrs_define
class Status:
    """
    Attributes:
        node (str):
        status (StatusStatus):
        version (str):
        uptime (int): Seconds since the broker started
        started_at (datetime.datetime):
        rest_api (StatusRestApi):
        listeners (list[Listener]):
    """

    node: str
    status: StatusStatus
    version: str
    uptime: int
    started_at: datetime.datetime
    rest_api: StatusRestApi
    listeners: list[Listener]

    def to_dict(self) -> dict[str, Any]:
        node = self.node

        status = self.status.value

        version = self.version

        uptime = self.uptime

        started_at = self.started_at.isoformat()

        rest_api = self.rest_api.value

        listeners = []
        for listeners_item_data in self.listeners:
            listeners_item = listeners_item_data.to_dict()
            listeners.append(listeners_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "node": node,
                "status": status,
                "version": version,
                "uptime": uptime,
                "started_at": started_at,
                "rest_api": rest_api,
                "listeners": listeners,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.listener import Listener

        d = dict(src_dict)
        node = d.pop("node")

        status = StatusStatus(d.pop("status"))

        version = d.pop("version")

        uptime = d.pop("uptime")

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))

        rest_api = StatusRestApi(d.pop("rest_api"))

        listeners = []
        _listeners = d.pop("listeners")
        for listeners_item_data in _listeners:
            listeners_item = Listener.from_dict(listeners_item_data)

            listeners.append(listeners_item)

        status = cls(
            node=node,
            status=status,
            version=version,
            uptime=uptime,
            started_at=started_at,
            rest_api=rest_api,
            listeners=listeners,
        )

        return status
