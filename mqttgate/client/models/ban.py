from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.ban_kind import BanKind
from ..models.time_or_infinity_type_1 import TimeOrInfinityType1

T = TypeVar("T", bound="Ban")


@_attrs_define
class Ban:
    """
    Attributes:
        as_ (BanKind): What who names: a client id, a username, a peer IP address, a regular expression searched in the
            client id or username, or a network in CIDR notation
        who (str): Addresses and networks in canonical form
        by (str): Who banned; by default the name of the API key
        reason (str):
        at (datetime.datetime):
        until (datetime.datetime | TimeOrInfinityType1): An RFC 3339 time, or infinity for never
    """

    as_: BanKind
    who: str
    by: str
    reason: str
    at: datetime.datetime
    until: datetime.datetime | TimeOrInfinityType1

    def to_dict(self) -> dict[str, Any]:
        as_ = self.as_.value

        who = self.who

        by = self.by

        reason = self.reason

        at = self.at.isoformat()

        until: str
        if isinstance(self.until, datetime.datetime):
            until = self.until.isoformat()
        else:
            until = self.until.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "as": as_,
                "who": who,
                "by": by,
                "reason": reason,
                "at": at,
                "until": until,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        as_ = BanKind(d.pop("as"))

        who = d.pop("who")

        by = d.pop("by")

        reason = d.pop("reason")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        def _parse_until(data: object) -> datetime.datetime | TimeOrInfinityType1:
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

        until = _parse_until(d.pop("until"))

        ban = cls(
            as_=as_,
            who=who,
            by=by,
            reason=reason,
            at=at,
            until=until,
        )

        return ban
