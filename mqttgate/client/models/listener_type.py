from enum import StrEnum


class ListenerType(StrEnum):
    TCP = "tcp"
    TLS = "tls"
    WS = "ws"
    WSS = "wss"

    def __str__(self) -> str:
        return str(self.value)
