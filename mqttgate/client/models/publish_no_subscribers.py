from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.publish_no_subscribers_message import PublishNoSubscribersMessage
from ..models.publish_no_subscribers_reason_code import PublishNoSubscribersReasonCode

T = TypeVar("T", bound="PublishNoSubscribers")


@_attrs_define
class PublishNoSubscribers:
    """
    Attributes:
        reason_code (PublishNoSubscribersReasonCode): MQTT 5 reason code 0x10: no matching subscribers
        message (PublishNoSubscribersMessage):
    """

    reason_code: PublishNoSubscribersReasonCode
    message: PublishNoSubscribersMessage

    def to_dict(self) -> dict[str, Any]:
        reason_code = self.reason_code.value

        message = self.message.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "reason_code": reason_code,
                "message": message,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        reason_code = PublishNoSubscribersReasonCode(d.pop("reason_code"))

        message = PublishNoSubscribersMessage(d.pop("message"))

        publish_no_subscribers = cls(
            reason_code=reason_code,
            message=message,
        )

        return publish_no_subscribers
