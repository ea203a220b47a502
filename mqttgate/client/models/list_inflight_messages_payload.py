from enum import StrEnum


class ListInflightMessagesPayload(StrEnum):
    BASE64 = "base64"
    NONE = "none"
    PLAIN = "plain"

    def __str__(self) -> str:
        return str(self.value)
