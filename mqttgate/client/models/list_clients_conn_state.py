from enum import StrEnum


class ListClientsConnState(StrEnum):
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"

    def __str__(self) -> str:
        return str(self.value)
