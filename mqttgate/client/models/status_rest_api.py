from enum import StrEnum


class StatusRestApi(StrEnum):
    RUNNING = "running"

    def __str__(self) -> str:
        return str(self.value)
