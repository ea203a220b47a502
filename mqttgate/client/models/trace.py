from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.trace_payload_encode import TracePayloadEncode
from ..models.trace_status import TraceStatus
from ..models.trace_type import TraceType
from ..types import UNSET, Unset

T = TypeVar("T", bound="Trace")


@_attrs_define
class Trace:
    """
    Attributes:
        name (str):
        type_ (TraceType):
        start_at (datetime.datetime):
        end_at (datetime.datetime):
        payload_encode (TracePayloadEncode):
        status (TraceStatus):
        log_size (int):
        clientid (str | Unset):
        topic (str | Unset):
        ip_address (str | Unset):
    """

    name: str
    type_: TraceType
    start_at: datetime.datetime
    end_at: datetime.datetime
    payload_encode: TracePayloadEncode
    status: TraceStatus
    log_size: int
    clientid: str | Unset = UNSET
    topic: str | Unset = UNSET
    ip_address: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        type_ = self.type_.value

        start_at = self.start_at.isoformat()

        end_at = self.end_at.isoformat()

        payload_encode = self.payload_encode.value

        status = self.status.value

        log_size = self.log_size

        clientid = self.clientid

        topic = self.topic

        ip_address = self.ip_address

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "type": type_,
                "start_at": start_at,
                "end_at": end_at,
                "payload_encode": payload_encode,
                "status": status,
                "log_size": log_size,
            }
        )
        if clientid is not UNSET:
            field_dict["clientid"] = clientid
        if topic is not UNSET:
            field_dict["topic"] = topic
        if ip_address is not UNSET:
            field_dict["ip_address"] = ip_address

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        type_ = TraceType(d.pop("type"))

        start_at = datetime.datetime.fromisoformat(d.pop("start_at"))

        end_at = datetime.datetime.fromisoformat(d.pop("end_at"))

        payload_encode = TracePayloadEncode(d.pop("payload_encode"))

        status = TraceStatus(d.pop("status"))

        log_size = d.pop("log_size")

        clientid = d.pop("clientid", UNSET)

        topic = d.pop("topic", UNSET)

        ip_address = d.pop("ip_address", UNSET)

        trace = cls(
            name=name,
            type_=type_,
            start_at=start_at,
            end_at=end_at,
            payload_encode=payload_encode,
            status=status,
            log_size=log_size,
            clientid=clientid,
            topic=topic,
            ip_address=ip_address,
        )

        return trace
