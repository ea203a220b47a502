from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="MqttUserCreate")


@_attrs_define
class MqttUserCreate:
    """
    Attributes:
        user_id (str):
        password (str):
        is_superuser (bool | Unset):  Default: False.
    """

    user_id: str
    password: str
    is_superuser: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        user_id = self.user_id

        password = self.password

        is_superuser = self.is_superuser

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "user_id": user_id,
                "password": password,
            }
        )
        if is_superuser is not UNSET:
            field_dict["is_superuser"] = is_superuser

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        user_id = d.pop("user_id")

        password = d.pop("password")

        is_superuser = d.pop("is_superuser", UNSET)

        mqtt_user_create = cls(
            user_id=user_id,
            password=password,
            is_superuser=is_superuser,
        )

        return mqtt_user_create
