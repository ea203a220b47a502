from enum import StrEnum


class ListAuditHttpMethod(StrEnum):
    DELETE = "delete"
    PATCH = "patch"
    POST = "post"
    PUT = "put"

    def __str__(self) -> str:
        return str(self.value)
