from enum import StrEnum


class AclRuleAction(StrEnum):
    ALL = "all"
    PUBLISH = "publish"
    SUBSCRIBE = "subscribe"

    def __str__(self) -> str:
        return str(self.value)
