from enum import StrEnum


class TimeOrInfinityType1(StrEnum):
    INFINITY = "infinity"

    def __str__(self) -> str:
        return str(self.value)
