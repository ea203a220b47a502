from enum import StrEnum


class BanKind(StrEnum):
    CLIENTID = "clientid"
    CLIENTID_RE = "clientid_re"
    PEERHOST = "peerhost"
    PEERHOST_NET = "peerhost_net"
    USERNAME = "username"
    USERNAME_RE = "username_re"

    def __str__(self) -> str:
        return str(self.value)
