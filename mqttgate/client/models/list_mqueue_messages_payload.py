from enum import StrEnum


class ListMqueueMessagesPayload(StrEnum):
    BASE64 = "base64"
    NONE = "none"
    PLAIN = "plain"

    def __str__(self) -> str:
        return str(self.value)
