from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.acl_rule_action import AclRuleAction
from ..models.acl_rule_permission import AclRulePermission

T = TypeVar("T", bound="AclRule")


@_attrs_define
class AclRule:
    """
    Attributes:
        topic (str): An MQTT topic filter; `eq <filter>` matches that filter literally; a level may hold ${clientid} or
            ${username}, the client's own value as a literal level
        permission (AclRulePermission):
        action (AclRuleAction):
    """

    topic: str
    permission: AclRulePermission
    action: AclRuleAction

    def to_dict(self) -> dict[str, Any]:
        topic = self.topic

        permission = self.permission.value

        action = self.action.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "topic": topic,
                "permission": permission,
                "action": action,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        topic = d.pop("topic")

        permission = AclRulePermission(d.pop("permission"))

        action = AclRuleAction(d.pop("action"))

        acl_rule = cls(
            topic=topic,
            permission=permission,
            action=action,
        )

        return acl_rule
