from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.time_or_infinity_type_1 import TimeOrInfinityType1

if TYPE_CHECKING:
    from ..models.alarm_details import AlarmDetails


T = TypeVar("T", bound="Alarm")


@_attrs_define
class Alarm:
    """
    Attributes:
        node (str):
        name (str): high_system_memory_usage, high_process_memory_usage, listener_connections_high/LISTENER,
            offline_queue_dropping, backup_failed, trace_failed/TRACE, store_failed
        message (str):
        details (AlarmDetails):
        duration (int): Milliseconds active (until now, or until deactivated)
        activate_at (datetime.datetime):
        deactivate_at (datetime.datetime | TimeOrInfinityType1): An RFC 3339 time, or infinity for never
        activated (bool):
    """

    node: str
    name: str
    message: str
    details: AlarmDetails
    duration: int
    activate_at: datetime.datetime
    deactivate_at: datetime.datetime | TimeOrInfinityType1
    activated: bool

    def to_dict(self) -> dict[str, Any]:
        node = self.node

        name = self.name

        message = self.message

        details = self.details.to_dict()

        duration = self.duration

        activate_at = self.activate_at.isoformat()

        deactivate_at: str
        if isinstance(self.deactivate_at, datetime.datetime):
            deactivate_at = self.deactivate_at.isoformat()
        else:
            deactivate_at = self.deactivate_at.value

        activated = self.activated

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "node": node,
                "name": name,
                "message": message,
                "details": details,
                "duration": duration,
                "activate_at": activate_at,
                "deactivate_at": deactivate_at,
                "activated": activated,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.alarm_details import AlarmDetails

        d = dict(src_dict)
        node = d.pop("node")

        name = d.pop("name")

        message = d.pop("message")

        details = AlarmDetails.from_dict(d.pop("details"))

        duration = d.pop("duration")

        activate_at = datetime.datetime.fromisoformat(d.pop("activate_at"))

        def _parse_deactivate_at(
            data: object,
        ) -> datetime.datetime | TimeOrInfinityType1:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_time_or_infinity_type_0 = (
                    datetime.datetime.fromisoformat(data)
                )

                return componentsschemas_time_or_infinity_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, str):
                raise TypeError()
            componentsschemas_time_or_infinity_type_1 = TimeOrInfinityType1(data)

            return componentsschemas_time_or_infinity_type_1

        deactivate_at = _parse_deactivate_at(d.pop("deactivate_at"))

        activated = d.pop("activated")

        alarm = cls(
            node=node,
            name=name,
            message=message,
            details=details,
            duration=duration,
            activate_at=activate_at,
            deactivate_at=deactivate_at,
            activated=activated,
        )

        return alarm
