from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.ban_kind import BanKind
from ..models.time_or_infinity_type_1 import TimeOrInfinityType1
from ..types import UNSET, Unset

T = TypeVar("T", bound="BanCreate")


@_attrs_define
class BanCreate:
    """
    Attributes:
        as_ (BanKind): What who names: a client id, a username, a peer IP address, a regular expression searched in the
            client id or username, or a network in CIDR notation
        who (str):
        by (str | Unset):
        reason (str | Unset):
        until (datetime.datetime | TimeOrInfinityType1 | Unset): An RFC 3339 time, or infinity for never
    """

    as_: BanKind
    who: str
    by: str | Unset = UNSET
    reason: str | Unset = UNSET
    until: datetime.datetime | TimeOrInfinityType1 | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        as_ = self.as_.value

        who = self.who

        by = self.by

        reason = self.reason

        until: str | Unset
        if isinstance(self.until, Unset):
            until = UNSET
        elif isinstance(self.until, datetime.datetime):
            until = self.until.isoformat()
        else:
            until = self.until.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "as": as_,
                "who": who,
            }
        )
        if by is not UNSET:
            field_dict["by"] = by
        if reason is not UNSET:
            field_dict["reason"] = reason
        if until is not UNSET:
            field_dict["until"] = until

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        as_ = BanKind(d.pop("as"))

        who = d.pop("who")

        by = d.pop("by", UNSET)

        reason = d.pop("reason", UNSET)

        def _parse_until(
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

        until = _parse_until(d.pop("until", UNSET))

        ban_create = cls(
            as_=as_,
            who=who,
            by=by,
            reason=reason,
            until=until,
        )

        return ban_create
