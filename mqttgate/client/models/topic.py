from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="Topic")


@_attrs_define
class Topic:
    """
    Attributes:
        topic (str): The topic filter
        node (str):
        subscriptions_cnt (int):
    """

    topic: str
    node: str
    subscriptions_cnt: int

    def to_dict(self) -> dict[str, Any]:
        topic = self.topic

        node = self.node

        subscriptions_cnt = self.subscriptions_cnt

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "topic": topic,
                "node": node,
                "subscriptions_cnt": subscriptions_cnt,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        topic = d.pop("topic")

        node = d.pop("node")

        subscriptions_cnt = d.pop("subscriptions_cnt")

        topic = cls(
            topic=topic,
            node=node,
            subscriptions_cnt=subscriptions_cnt,
        )

        return topic
