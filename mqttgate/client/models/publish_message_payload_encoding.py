from enum import StrEnum


class PublishMessagePayloadEncoding(StrEnum):
    BASE64 = "base64"
    PLAIN = "plain"

    def __str__(self) -> str:
        return str(self.value)
