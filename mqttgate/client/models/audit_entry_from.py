from enum import StrEnum


class AuditEntryFrom(StrEnum):
    CLI = "cli"
    REST_API = "rest_api"

    def __str__(self) -> str:
        return str(self.value)
