from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.subscription import Subscription


T = TypeVar("T", bound="TopicDetail")


@_attrs_define
class TopicDetail:
    """
    Attributes:
        topic (str):
        node (str):
        subscriptions (list[Subscription]):
    """

    topic: str
    node: str
    subscriptions: list[Subscription]

    def to_dict(self) -> dict[str, Any]:
        topic = self.topic

        node = self.node

        subscriptions = []
        for subscriptions_item_data in self.subscriptions:
            subscriptions_item = subscriptions_item_data.to_dict()
            subscriptions.append(subscriptions_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "topic": topic,
                "node": node,
                "subscriptions": subscriptions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.subscription import Subscription

        d = dict(src_dict)
        topic = d.pop("topic")

        node = d.pop("node")

        subscriptions = []
        _subscriptions = d.pop("subscriptions")
        for subscriptions_item_data in _subscriptions:
            subscriptions_item = Subscription.from_dict(subscriptions_item_data)

            subscriptions.append(subscriptions_item)

        topic_detail = cls(
            topic=topic,
            node=node,
            subscriptions=subscriptions,
        )

        return topic_detail
