"""GET /status: is the broker up."""

from __future__ import annotations

from datetime import UTC, datetime

from mqttgate import __version__
from mqttgate.broker.errors import BrokerUnavailable
from mqttgate.handlers._shape import broker, node, plain, rfc3339


async def get_status():
    """Health of the broker and the API; 503 while the broker is not running."""
    status = broker().status()
    if not status.running or status.started_at is None:
        raise BrokerUnavailable()
    return {
        "node": node(),
        "status": "running",
        "version": __version__,
        "uptime": int((datetime.now(UTC) - status.started_at).total_seconds()),
        "started_at": rfc3339(status.started_at),
        "rest_api": "running",
        "listeners": [plain(listener) for listener in status.listeners],
    }
