from enum import StrEnum


class ApiKeyRole(StrEnum):
    ADMINISTRATOR = "administrator"
    PUBLISHER = "publisher"
    VIEWER = "viewer"

    def __str__(self) -> str:
        return str(self.value)
