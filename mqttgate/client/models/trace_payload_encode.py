from enum import StrEnum


class TracePayloadEncode(StrEnum):
    HEX = "hex"
    HIDDEN = "hidden"
    TEXT = "text"

    def __str__(self) -> str:
        return str(self.value)
