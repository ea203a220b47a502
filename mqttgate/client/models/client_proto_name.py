from enum import StrEnum


class ClientProtoName(StrEnum):
    MQTT = "MQTT"

    def __str__(self) -> str:
        return str(self.value)
