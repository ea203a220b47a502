"""GET /audit: the audit log of changes (EMQX 5.3)."""

from __future__ import annotations

from typing import Any

from connexion import request

from mqttgate.broker.ops.audit import AuditEntry
from mqttgate.handlers._shape import page_body, parse_time
from mqttgate.handlers.monitor import ops


async def list_audit(*, page: int = 1, limit: int = 100, node: str | None = None, source: str | None = None,
                     source_ip: str | None = None, operation_id: str | None = None,
                     operation_type: str | None = None, operation_result: str | None = None,
                     http_status_code: int | None = None, http_method: str | None = None,
                     gte_created_at: str | None = None, lte_created_at: str | None = None,
                     gte_duration_ms: int | None = None, lte_duration_ms: int | None = None):
    """Entries newest first, every filter given holding."""
    filters = {
        # `from` is EMQX's name, and a Python keyword: connexion cannot pass it as an argument
        "from": request.query_params.get("from"), "node": node, "source": source, "source_ip": source_ip,
        "operation_id": operation_id, "operation_type": operation_type, "operation_result": operation_result,
        "http_status_code": http_status_code, "http_method": http_method,
        "gte_created_at": _ms(gte_created_at, "gte_created_at"),
        "lte_created_at": _ms(lte_created_at, "lte_created_at"),
        "gte_duration_ms": gte_duration_ms, "lte_duration_ms": lte_duration_ms,
    }
    result = await ops().audit.list(filters, page=page, limit=limit)
    return page_body(result, page=page, limit=limit, shape=_entry)


def _ms(value: str | None, name: str) -> int | None:
    moment = parse_time(value, name)
    return None if moment is None else int(moment.timestamp() * 1000)


def _entry(entry: AuditEntry) -> dict[str, Any]:
    return {"created_at": entry.created_at, "node": entry.node, "from": entry.origin, "source": entry.source,
            "source_ip": entry.source_ip, "operation_id": entry.operation_id, "operation_type": entry.operation_type,
            "operation_result": entry.operation_result, "http_method": entry.http_method,
            "http_status_code": entry.http_status_code, "duration_ms": entry.duration_ms,
            "http_request": entry.http_request}
