from enum import IntEnum


class ClientProtoVer(IntEnum):
    VALUE_4 = 4

    def __str__(self) -> str:
        return str(self.value)
