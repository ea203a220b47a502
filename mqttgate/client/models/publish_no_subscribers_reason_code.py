from enum import IntEnum


class PublishNoSubscribersReasonCode(IntEnum):
    VALUE_16 = 16

    def __str__(self) -> str:
        return str(self.value)
