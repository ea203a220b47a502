from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="MqttUser")


@_attrs_define
class MqttUser:
    """
    Attributes:
        user_id (str):
        is_superuser (bool): A superuser skips every ACL rule
    """

    user_id: str
    is_superuser: bool

    def to_dict(self) -> dict[str, Any]:
        user_id = self.user_id

        is_superuser = self.is_superuser

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "user_id": user_id,
                "is_superuser": is_superuser,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        user_id = d.pop("user_id")

        is_superuser = d.pop("is_superuser")

        mqtt_user = cls(
            user_id=user_id,
            is_superuser=is_superuser,
        )

        return mqtt_user
