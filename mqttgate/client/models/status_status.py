from enum import StrEnum


class StatusStatus(StrEnum):
    RUNNING = "running"

    def __str__(self) -> str:
        return str(self.value)
