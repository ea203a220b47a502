from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.acl_rule import AclRule


T = TypeVar("T", bound="AclUserRulesUpdate")


@_attrs_define
class AclUserRulesUpdate:
    """
    Attributes:
        rules (list[AclRule]):
        username (str | Unset): Not read: the path names the username
    """

    rules: list[AclRule]
    username: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        rules = []
        for rules_item_data in self.rules:
            rules_item = rules_item_data.to_dict()
            rules.append(rules_item)

        username = self.username

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "rules": rules,
            }
        )
        if username is not UNSET:
            field_dict["username"] = username

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

        username = d.pop("username", UNSET)

        acl_user_rules_update = cls(
            rules=rules,
            username=username,
        )

        return acl_user_rules_update
