from enum import StrEnum


class TraceStatus(StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"
    WAITING = "waiting"

    def __str__(self) -> str:
        return str(self.value)
