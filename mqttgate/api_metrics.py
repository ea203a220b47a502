"""REST API metrics per operation: requests by status, and a latency histogram (HiveMQ's REST API metrics)."""

from __future__ import annotations

from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
)

from mqttgate.exchange import observe

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ApiMetrics:
    """ASGI middleware counting each API request by operation, method and status, and timing it.

    A request is labelled with the operationId connexion routed it to, never with its raw path;
    what no operation answers (the docs, the spec, unknown paths) is `none`. The metrics live
    in this app's own registry, which requests find as `request.state.api_metrics`; it also
    holds the process metrics (CPU, memory, open files).
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        disable_created_metrics()  # a `_created` series beside each counter says only when the process started
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.requests = Counter("mqttgate_http_requests", "REST API requests by operation, method and status",
                                ("operation", "method", "status"), registry=self.registry)
        self.latency = Histogram("mqttgate_http_request_duration_seconds",
                                 "REST API response time by operation and method, until the last byte is sent",
                                 ("operation", "method"), buckets=_BUCKETS, registry=self.registry)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})["api_metrics"] = self.registry
        method = scope["method"] if scope["method"] in _METHODS else "other"

        async def count(operation: str | None, status: int, seconds: float) -> None:
            self.latency.labels(operation or "none", method).observe(seconds)
            self.requests.labels(operation or "none", method, str(status)).inc()

        await observe(self.app, scope, receive, send, count)
