"""The API's access log (one line per request) and its audit log (one entry per change), as ASGI middleware."""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any

from connexion.middleware.abstract import ROUTING_CONTEXT

from mqttgate.broker.ops.audit import AuditEntry, now_ms
from mqttgate.exchange import observe

access_log = logging.getLogger("mqttgate.access")
log = logging.getLogger("mqttgate.audit")

CHANGES = frozenset({"POST", "PUT", "DELETE", "PATCH"})
# publishing sends messages, it changes nothing an operator configures (and may run at thousands a second)
NOT_AUDITED = frozenset({"publish", "publish_bulk"})
CLI_AGENT = "mqttgate-cli/"


class RequestLog:
    """ASGI middleware: logs each request to `mqttgate.access`, and records each change to the audit log.

    A change is a POST, PUT, DELETE or PATCH that connexion routed to an operation, whatever its result,
    but for a request refused 401 (nobody known made it) and for publishing. Neither log holds a body
    or a header: bodies and the Authorization header carry secrets.

    Args:
        access: write the access log.
        audit: record changes (to `request.state.ops`, set by the lifespan).
    """

    def __init__(self, app: Any, *, access: bool = True, audit: bool = True) -> None:
        self.app, self.access, self.audit = app, access, audit

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not (self.access or self.audit):
            await self.app(scope, receive, send)
            return
        await observe(self.app, scope, receive, send,
                      lambda operation, status, seconds: self._record(scope, operation, status, int(seconds * 1000)))

    async def _record(self, scope: dict[str, Any], operation: str | None, status: int, duration_ms: int) -> None:
        extensions = scope["extensions"]
        who = (extensions.get("connexion_context", {}).get("token_info") or {}).get("sub") or _basic_user(scope)
        client = (scope.get("client") or ("", 0))[0]
        method = scope["method"]
        path = scope.get("path", "")
        query = scope.get("query_string", b"").decode("latin-1")
        if self.access:
            access_log.info("%s %s %s %s%s %d %dms", client or "-", who or "-", method, path,
                            f"?{query}" if query else "", status, duration_ms,
                            extra={"client": client, "source": who or "", "method": method, "path": path,
                                   "query": query, "status": status, "duration_ms": duration_ms,
                                   "operation_id": operation or ""})
        ops = scope.get("state", {}).get("ops")
        if (self.audit and ops is not None and operation and method in CHANGES and status != 401
                and operation not in NOT_AUDITED):
            agent = dict(scope.get("headers") or []).get(b"user-agent", b"").decode("latin-1")
            relative = path.removeprefix(extensions.get(ROUTING_CONTEXT, {}).get("api_base_path") or "")
            await ops.record_audit(AuditEntry(
                created_at=now_ms(), node=ops.node, origin="cli" if agent.startswith(CLI_AGENT) else "rest_api",
                source=who or "", source_ip=client, operation_id=operation,
                operation_type=relative.strip("/").split("/")[0], http_method=method.lower(),
                operation_result="success" if status < 400 else "failure", http_status_code=status,
                duration_ms=duration_ms, http_request={"method": method.lower(), "path": path, "query": query},
            ))


def _basic_user(scope: dict[str, Any]) -> str | None:
    """The API key a request named in its Basic credentials (never the secret), if any."""
    header = dict(scope.get("headers") or []).get(b"authorization", b"")
    scheme, _, token = header.partition(b" ")
    if scheme.lower() != b"basic":
        return None
    try:
        return base64.b64decode(token, validate=True).decode("utf-8").partition(":")[0] or None
    except (binascii.Error, UnicodeDecodeError):
        return None
