"""GET /nodes, /nodes/{node}: this node's version, uptime, host, connections and listeners (EMQX /nodes)."""

from __future__ import annotations

import platform
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from mqttgate import __version__
from mqttgate.broker.errors import BrokerUnavailable, NodeNotFound
from mqttgate.broker.host import host_stats
from mqttgate.handlers import _shape
from mqttgate.handlers.listeners import all_listeners


async def list_nodes():
    """mqttgate runs one node: this one."""
    return [_this_node()]


async def get_node(*, node: str):
    """This node by its name; any other name is not found."""
    if node != _shape.node():
        raise NodeNotFound()
    return _this_node()


def _this_node() -> dict[str, Any]:
    status = _shape.broker().status()
    if not status.running or status.started_at is None:
        raise BrokerUnavailable()
    stats = _shape.broker().stats()
    return {
        "node": _shape.node(),
        "node_status": "running",
        "version": __version__,
        "uptime": int((datetime.now(UTC) - status.started_at).total_seconds()),
        "started_at": _shape.rfc3339(status.started_at),
        "python_version": platform.python_version(),
        **asdict(host_stats()),
        "connections": stats["connections.count"],
        "live_connections": stats["live_connections.count"],
        "listeners": all_listeners(),
    }
