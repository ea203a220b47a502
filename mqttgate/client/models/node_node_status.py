from enum import StrEnum


class NodeNodeStatus(StrEnum):
    RUNNING = "running"

    def __str__(self) -> str:
        return str(self.value)
