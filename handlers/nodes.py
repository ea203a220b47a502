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
    """The live nodes of the cluster, this one with its REST listeners; on one node, this one. A live node
    that did not answer in time is named in the Missing-Nodes header."""
    if not hasattr(_shape.broker(), "nodes"):
        return [_this_node()]
    described, missing = await _shape.broker().nodes()
    here = _shape.node()
    listed = [_this_node() if name == here else _other_node(name, facts) for name, facts in sorted(described.items())]
    return listed, 200, _shape.missing_nodes_header(missing)


async def get_node(*, node: str):
    """A node by its name; a name no live node has is not found."""
    if node == _shape.node():
        return _this_node()
    if hasattr(_shape.broker(), "nodes"):
        described, _ = await _shape.broker().nodes()
        if node in described:
            return _other_node(node, described[node])
    raise NodeNotFound()


def _other_node(name: str, facts: dict[str, Any]) -> dict[str, Any]:
    """Another node of the cluster as it described itself (its MQTT listeners)."""
    started_at = datetime.fromisoformat(facts["started_at"])
    return {
        "node": name,
        "node_status": "running",
        "version": __version__,
        "uptime": max(0, int((datetime.now(UTC) - started_at).total_seconds())),
        "started_at": _shape.rfc3339(started_at),
        "python_version": facts["python_version"],
        **facts["host"],
        "connections": facts["stats"]["connections.count"],
        "live_connections": facts["stats"]["live_connections.count"],
        "listeners": [{"id": f"{x['type']}:{x['name']}", **x} for x in facts["listeners"]],
    }


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
