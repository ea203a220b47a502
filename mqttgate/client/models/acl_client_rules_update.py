from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.acl_rule import AclRule


T = TypeVar("T", bound="AclClientRulesUpdate")


@_attrs_define
class AclClientRulesUpdate:
    """
    Attributes:
        rules (list[AclRule]):
        clientid (str | Unset): Not read: the path names the clientid
    """

    rules: list[AclRule]
    clientid: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        rules = []
        for rules_item_data in self.rules:
            rules_item = rules_item_data.to_dict()
            rules.append(rules_item)

        clientid = self.clientid

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "rules": rules,
            }
        )
        if clientid is not UNSET:
            field_dict["clientid"] = clientid

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.acl_rule import AclRule

        d = dict(src_dict)
        rules = []
        _rules = d.pop("rules")
        for rules_item_data in _rules:
            rules_item = AclRule.from_dict(rules_item_data)

            rules.append(rules_item)

        clientid = d.pop("clientid", UNSET)

        acl_client_rules_update = cls(
            rules=rules,
            clientid=clientid,
        )

        return acl_client_rules_update
