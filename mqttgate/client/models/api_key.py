from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.api_key_role import ApiKeyRole
from ..models.time_or_infinity_type_1 import TimeOrInfinityType1

T = TypeVar("T", bound="ApiKey")


@_attrs_define
class ApiKey:
    """
    Attributes:
        name (str):
        api_key (str): The user name for HTTP Basic
        role (ApiKeyRole): administrator may do everything, viewer only GET, publisher only POST /publish and
            /publish/bulk
        enable (bool):
        expired_at (datetime.datetime | TimeOrInfinityType1): An RFC 3339 time, or infinity for never
        expired (bool): Whether expired_at has passed
        desc (str):
        created_at (datetime.datetime):
    """

    name: str
    api_key: str
    role: ApiKeyRole
    enable: bool
    expired_at: datetime.datetime | TimeOrInfinityType1
    expired: bool
    desc: str
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        api_key = self.api_key

        role = self.role.value

        enable = self.enable

        expired_at: str
        if isinstance(self.expired_at, datetime.datetime):
            expired_at = self.expired_at.isoformat()
        else:
            expired_at = self.expired_at.value

        expired = self.expired

        desc = self.desc

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "api_key": api_key,
                "role": role,
                "enable": enable,
                "expired_at": expired_at,
                "expired": expired,
                "desc": desc,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        api_key = d.pop("api_key")

        role = ApiKeyRole(d.pop("role"))

        enable = d.pop("enable")

        def _parse_expired_at(data: object) -> datetime.datetime | TimeOrInfinityType1:
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

        expired_at = _parse_expired_at(d.pop("expired_at"))

        expired = d.pop("expired")

        desc = d.pop("desc")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        api_key = cls(
            name=name,
            api_key=api_key,
            role=role,
            enable=enable,
            expired_at=expired_at,
            expired=expired,
            desc=desc,
            created_at=created_at,
        )

        return api_key
