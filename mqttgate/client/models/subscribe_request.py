from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.subscribe_request_qos import SubscribeRequestQos
from ..types import UNSET, Unset

T = TypeVar("T", bound="SubscribeRequest")


@_attrs_define
class SubscribeRequest:
    """
    Attributes:
        topic (str): An MQTT topic filter; `+` and `#` only as whole levels, `#` only last
        qos (SubscribeRequestQos | Unset):  Default: SubscribeRequestQos.VALUE_0.
    """

    topic: str
    qos: SubscribeRequestQos | Unset = SubscribeRequestQos.VALUE_0

    def to_dict(self) -> dict[str, Any]:
        topic = self.topic

        qos: int | Unset = UNSET
        if not isinstance(self.qos, Unset):
            qos = self.qos.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "topic": topic,
            }
        )
        if qos is not UNSET:
            field_dict["qos"] = qos

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        topic = d.pop("topic")

        _qos = d.pop("qos", UNSET)
        qos: SubscribeRequestQos | Unset
        if isinstance(_qos, Unset):
            qos = UNSET
        else:
            qos = SubscribeRequestQos(_qos)

        subscribe_request = cls(
            topic=topic,
            qos=qos,
        )

        return subscribe_request
