from enum import StrEnum


class ListenerStatusType(StrEnum):
    HTTP = "http"
    TCP = "tcp"
    TLS = "tls"
    WS = "ws"
    WSS = "wss"

    def __str__(self) -> str:
        return str(self.value)
