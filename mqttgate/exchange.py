"""One HTTP exchange as the API's observing middlewares see it: the app run, then its outcome."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from connexion.middleware.abstract import ROUTING_CONTEXT

Done = Callable[[str | None, int, float], Awaitable[None]]


async def observe(app: Any, scope: dict[str, Any], receive: Any, send: Any, done: Done) -> None:
    """Run `app` on an HTTP request, then `done(operation, status, seconds)`, whether it answered or raised.

    `operation` is the operationId connexion routed the request to (None for the docs, the spec
    and unknown paths); `status` is 500 if the app raised before it answered.
    """
    # connexion's routing copies the scope, but writes the operation into this same dict
    extensions = scope.setdefault("extensions", {})
    status = 500

    async def send_recording_status(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        await send(message)

    start = time.perf_counter()
    try:
        await app(scope, receive, send_recording_status)
    finally:
        # connexion names the handler (mqttgate.handlers.clients.list_clients), whose name is the operationId
        routed = extensions.get(ROUTING_CONTEXT, {}).get("operation_id")
        await done(routed.rpartition(".")[2] if routed else None, status, time.perf_counter() - start)
