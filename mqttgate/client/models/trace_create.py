from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.trace_create_payload_encode import TraceCreatePayloadEncode
from ..models.trace_create_type import TraceCreateType
from ..types import UNSET, Unset

T = TypeVar("T", bound="TraceCreate")


@_attrs_define
class TraceCreate:
    """What to trace: `type` names the field that holds the client id, topic filter or IP address
    (400 BAD_REQUEST when that field is missing). start_at defaults to now and end_at to 10
    minutes after start_at.

        Example:
            {'name': 'door', 'type': 'clientid', 'clientid': 'door-1', 'payload_encode': 'text'}

        Attributes:
            name (str):
            type_ (TraceCreateType):
            clientid (str | Unset):
            topic (str | Unset): An MQTT topic filter; `+` and `#` only as whole levels, `#` only last
            ip_address (str | Unset):
            start_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds since the epoch
            end_at (datetime.datetime | str | Unset): RFC 3339 date-time, or milliseconds since the epoch
            payload_encode (TraceCreatePayloadEncode | Unset): How payloads are written to the log, or left out Default:
                TraceCreatePayloadEncode.TEXT.
    """

    name: str
    type_: TraceCreateType
    clientid: str | Unset = UNSET
    topic: str | Unset = UNSET
    ip_address: str | Unset = UNSET
    start_at: datetime.datetime | str | Unset = UNSET
    end_at: datetime.datetime | str | Unset = UNSET
    payload_encode: TraceCreatePayloadEncode | Unset = TraceCreatePayloadEncode.TEXT

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        type_ = self.type_.value

        clientid = self.clientid

        topic = self.topic

        ip_address = self.ip_address

        start_at: str | Unset
        if isinstance(self.start_at, Unset):
            start_at = UNSET
        elif isinstance(self.start_at, datetime.datetime):
            start_at = self.start_at.isoformat()
        else:
            start_at = self.start_at

        end_at: str | Unset
        if isinstance(self.end_at, Unset):
            end_at = UNSET
        elif isinstance(self.end_at, datetime.datetime):
            end_at = self.end_at.isoformat()
        else:
            end_at = self.end_at

        payload_encode: str | Unset = UNSET
        if not isinstance(self.payload_encode, Unset):
            payload_encode = self.payload_encode.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "type": type_,
            }
        )
        if clientid is not UNSET:
            field_dict["clientid"] = clientid
        if topic is not UNSET:
            field_dict["topic"] = topic
        if ip_address is not UNSET:
            field_dict["ip_address"] = ip_address
        if start_at is not UNSET:
            field_dict["start_at"] = start_at
        if end_at is not UNSET:
            field_dict["end_at"] = end_at
        if payload_encode is not UNSET:
            field_dict["payload_encode"] = payload_encode

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        type_ = TraceCreateType(d.pop("type"))

        clientid = d.pop("clientid", UNSET)

        topic = d.pop("topic", UNSET)

        ip_address = d.pop("ip_address", UNSET)

        def _parse_start_at(data: object) -> datetime.datetime | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_time_bound_type_1 = datetime.datetime.fromisoformat(
                    data
                )

                return componentsschemas_time_bound_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | str | Unset, data)

        start_at = _parse_start_at(d.pop("start_at", UNSET))

        def _parse_end_at(data: object) -> datetime.datetime | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_time_bound_type_1 = datetime.datetime.fromisoformat(
                    data
                )

                return componentsschemas_time_bound_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | str | Unset, data)

        end_at = _parse_end_at(d.pop("end_at", UNSET))

        _payload_encode = d.pop("payload_encode", UNSET)
        payload_encode: TraceCreatePayloadEncode | Unset
        if isinstance(_payload_encode, Unset):
            payload_encode = UNSET
        else:
            payload_encode = TraceCreatePayloadEncode(_payload_encode)

        trace_create = cls(
            name=name,
            type_=type_,
            clientid=clientid,
            topic=topic,
            ip_address=ip_address,
            start_at=start_at,
            end_at=end_at,
            payload_encode=payload_encode,
        )

        return trace_create
