from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.acl_rule import AclRule


T = TypeVar("T", bound="AclClientRules")


@_attrs_define
class AclClientRules:
    """
    Attributes:
        clientid (str):
        rules (list[AclRule]):
    """

    clientid: str
    rules: list[AclRule]

    def to_dict(self) -> dict[str, Any]:
        clientid = self.clientid

        rules = []
        for rules_item_data in self.rules:
            rules_item = rules_item_data.to_dict()
            rules.append(rules_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "clientid": clientid,
                "rules": rules,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.acl_rule import AclRule

        d = dict(src_dict)
        clientid = d.pop("clientid")

        rules = []
        _rules = d.pop("rules")
        for rules_item_data in _rules:
            rules_item = AclRule.from_dict(rules_item_data)

            rules.append(rules_item)

        acl_client_rules = cls(
            clientid=clientid,
            rules=rules,
        )

        return acl_client_rules
