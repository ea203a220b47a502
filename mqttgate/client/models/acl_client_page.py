from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.acl_client_rules import AclClientRules
    from ..models.page_meta import PageMeta


T = TypeVar("T", bound="AclClientPage")


@_attrs_define
class AclClientPage:
    """
    Attributes:
        data (list[AclClientRules]):
        meta (PageMeta):
    """

    data: list[AclClientRules]
    meta: PageMeta

    def to_dict(self) -> dict[str, Any]:
        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        meta = self.meta.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "data": data,
                "meta": meta,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.acl_client_rules import AclClientRules
        from ..models.page_meta import PageMeta

        d = dict(src_dict)
        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = AclClientRules.from_dict(data_item_data)

            data.append(data_item)

        meta = PageMeta.from_dict(d.pop("meta"))

        acl_client_page = cls(
            data=data,
            meta=meta,
        )

        return acl_client_page
