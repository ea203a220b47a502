from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PageMeta")


@_attrs_define
class PageMeta:
    """
    Attributes:
        page (int):
        limit (int):
        hasnext (bool):
        count (int | Unset): Left out where it would need a full scan
        missing_nodes (list[str] | Unset): In a cluster, the nodes that did not answer in time: the page lacks what they
            hold (left out when every node answered)
    """

    page: int
    limit: int
    hasnext: bool
    count: int | Unset = UNSET
    missing_nodes: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        page = self.page

        limit = self.limit

        hasnext = self.hasnext

        count = self.count

        missing_nodes: list[str] | Unset = UNSET
        if not isinstance(self.missing_nodes, Unset):
            missing_nodes = self.missing_nodes

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "page": page,
                "limit": limit,
                "hasnext": hasnext,
            }
        )
        if count is not UNSET:
            field_dict["count"] = count
        if missing_nodes is not UNSET:
            field_dict["missing_nodes"] = missing_nodes

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        page = d.pop("page")

        limit = d.pop("limit")

        hasnext = d.pop("hasnext")

        count = d.pop("count", UNSET)

        missing_nodes = cast(list[str], d.pop("missing_nodes", UNSET))

        page_meta = cls(
            page=page,
            limit=limit,
            hasnext=hasnext,
            count=count,
            missing_nodes=missing_nodes,
        )

        return page_meta
