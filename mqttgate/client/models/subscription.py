from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.subscription_qos import SubscriptionQos

T = TypeVar("T", bound="Subscription")


@_attrs_define
class Subscription:
    """
    Attributes:
        clientid (str):
        topic (str): The topic filter
        qos (SubscriptionQos):
        node (str):
    """

    clientid: str
    topic: str
    qos: SubscriptionQos
    node: str

    def to_dict(self) -> dict[str, Any]:
        clientid = self.clientid

        topic = self.topic

        qos = self.qos.value

        node = self.node

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "clientid": clientid,
                "topic": topic,
                "qos": qos,
                "node": node,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        clientid = d.pop("clientid")

        topic = d.pop("topic")

        qos = SubscriptionQos(d.pop("qos"))

        node = d.pop("node")

        subscription = cls(
            clientid=clientid,
            topic=topic,
            qos=qos,
            node=node,
        )

        return subscription
