from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="MqttUserUpdate")


@_attrs_define
class MqttUserUpdate:
    """
    Attributes:
        password (str):
        is_superuser (bool | Unset):
    """

    password: str
    is_superuser: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        password = self.password

        is_superuser = self.is_superuser

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "password": password,
            }
        )
        if is_superuser is not UNSET:
            field_dict["is_superuser"] = is_superuser

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        password = d.pop("password")

        is_superuser = d.pop("is_superuser", UNSET)

        mqtt_user_update = cls(
            password=password,
            is_superuser=is_superuser,
        )

        return mqtt_user_update
