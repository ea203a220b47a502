from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.api_key_role import ApiKeyRole
from ..models.time_or_infinity_type_1 import TimeOrInfinityType1
from ..types import UNSET, Unset

T = TypeVar("T", bound="ApiKeyCreate")


@_attrs_define
class ApiKeyCreate:
    """
    Attributes:
        name (str): Unique; a letter, then letters, digits, - and _
        desc (str | Unset):  Default: ''.
        enable (bool | Unset):  Default: True.
        expired_at (datetime.datetime | TimeOrInfinityType1 | Unset): An RFC 3339 time, or infinity for never
        role (ApiKeyRole | Unset): administrator may do everything, viewer only GET, publisher only POST /publish and
            /publish/bulk
    """

    name: str
    desc: str | Unset = ""
    enable: bool | Unset = True
    expired_at: datetime.datetime | TimeOrInfinityType1 | Unset = UNSET
    role: ApiKeyRole | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        desc = self.desc

        enable = self.enable

        expired_at: str | Unset
        if isinstance(self.expired_at, Unset):
            expired_at = UNSET
        elif isinstance(self.expired_at, datetime.datetime):
            expired_at = self.expired_at.isoformat()
        else:
            expired_at = self.expired_at.value

        role: str | Unset = UNSET
        if not isinstance(self.role, Unset):
            role = self.role.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if desc is not UNSET:
            field_dict["desc"] = desc
        if enable is not UNSET:
            field_dict["enable"] = enable
        if expired_at is not UNSET:
            field_dict["expired_at"] = expired_at
        if role is not UNSET:
            field_dict["role"] = role

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        desc = d.pop("desc", UNSET)

        enable = d.pop("enable", UNSET)

        def _parse_expired_at(
            data: object,
        ) -> datetime.datetime | TimeOrInfinityType1 | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_time_or_infinity_type_0 = (
                    datetime.datetime.fromisoformat(data)
                )

                return componentsschemas_time_or_infinity_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, str):
                raise TypeError()
            componentsschemas_time_or_infinity_type_1 = TimeOrInfinityType1(data)

            return componentsschemas_time_or_infinity_type_1

        expired_at = _parse_expired_at(d.pop("expired_at", UNSET))

        _role = d.pop("role", UNSET)
        role: ApiKeyRole | Unset
        if isinstance(_role, Unset):
            role = UNSET
        else:
            role = ApiKeyRole(_role)

        api_key_create = cls(
            name=name,
            desc=desc,
            enable=enable,
            expired_at=expired_at,
            role=role,
        )

        return api_key_create
