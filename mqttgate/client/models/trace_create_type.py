from enum import StrEnum


class TraceCreateType(StrEnum):
    CLIENTID = "clientid"
    IP_ADDRESS = "ip_address"
    TOPIC = "topic"

    def __str__(self) -> str:
        return str(self.value)
