from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.audit_entry_from import AuditEntryFrom
from ..models.audit_entry_operation_result import AuditEntryOperationResult

if TYPE_CHECKING:
    from ..models.audit_entry_http_request import AuditEntryHttpRequest


T = TypeVar("T", bound="AuditEntry")


@_attrs_define
class AuditEntry:
    """
    Attributes:
        created_at (int): Milliseconds since the epoch
        node (str):
        from_ (AuditEntryFrom):
        source (str): The API key's name, or the user running the command line
        source_ip (str): The client's address (empty for the command line run offline)
        operation_id (str):
        operation_type (str):
        operation_result (AuditEntryOperationResult):
        http_method (str): post, put, delete, patch; the command line offline: cli
        http_status_code (int):
        duration_ms (int):
        http_request (AuditEntryHttpRequest): The method, path and query, or the command's arguments; never a body or a
            secret
    """

    created_at: int
    node: str
    from_: AuditEntryFrom
    source: str
    source_ip: str
    operation_id: str
    operation_type: str
    operation_result: AuditEntryOperationResult
    http_method: str
    http_status_code: int
    duration_ms: int
    http_request: AuditEntryHttpRequest

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        node = self.node

        from_ = self.from_.value

        source = self.source

        source_ip = self.source_ip

        operation_id = self.operation_id

        operation_type = self.operation_type

        operation_result = self.operation_result.value

        http_method = self.http_method

        http_status_code = self.http_status_code

        duration_ms = self.duration_ms

        http_request = self.http_request.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "created_at": created_at,
                "node": node,
                "from": from_,
                "source": source,
                "source_ip": source_ip,
                "operation_id": operation_id,
                "operation_type": operation_type,
                "operation_result": operation_result,
                "http_method": http_method,
                "http_status_code": http_status_code,
                "duration_ms": duration_ms,
                "http_request": http_request,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.audit_entry_http_request import AuditEntryHttpRequest

        d = dict(src_dict)
        created_at = d.pop("created_at")

        node = d.pop("node")

        from_ = AuditEntryFrom(d.pop("from"))

        source = d.pop("source")

        source_ip = d.pop("source_ip")

        operation_id = d.pop("operation_id")

        operation_type = d.pop("operation_type")

        operation_result = AuditEntryOperationResult(d.pop("operation_result"))

        http_method = d.pop("http_method")

        http_status_code = d.pop("http_status_code")

        duration_ms = d.pop("duration_ms")

        http_request = AuditEntryHttpRequest.from_dict(d.pop("http_request"))

        audit_entry = cls(
            created_at=created_at,
            node=node,
            from_=from_,
            source=source,
            source_ip=source_ip,
            operation_id=operation_id,
            operation_type=operation_type,
            operation_result=operation_result,
            http_method=http_method,
            http_status_code=http_status_code,
            duration_ms=duration_ms,
            http_request=http_request,
        )

        return audit_entry
