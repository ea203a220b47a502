from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.trace_log_meta import TraceLogMeta


T = TypeVar("T", bound="TraceLog")


@_attrs_define
class TraceLog:
    """
    Attributes:
        items (str): The log text read
        meta (TraceLogMeta):
    """

    items: str
    meta: TraceLogMeta

    def to_dict(self) -> dict[str, Any]:
        items = self.items

        meta = self.meta.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "items": items,
                "meta": meta,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.trace_log_meta import TraceLogMeta

        d = dict(src_dict)
        items = d.pop("items")

        meta = TraceLogMeta.from_dict(d.pop("meta"))

        trace_log = cls(
            items=items,
            meta=meta,
        )

        return trace_log
