from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="TraceLogMeta")


@_attrs_define
class TraceLogMeta:
    """
    Attributes:
        position (int): Where the next read starts
        bytes_ (int): Bytes read
    """

    position: int
    bytes_: int

    def to_dict(self) -> dict[str, Any]:
        position = self.position

        bytes_ = self.bytes_

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "position": position,
                "bytes": bytes_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        position = d.pop("position")

        bytes_ = d.pop("bytes")

        trace_log_meta = cls(
            position=position,
            bytes_=bytes_,
        )

        return trace_log_meta
