"""GET /monitor, /monitor_current (and per node): the history and the current gauges and rates (EMQX)."""

from __future__ import annotations

from dataclasses import asdict

from connexion import request

from mqttgate.broker.errors import NodeNotFound
from mqttgate.broker.ops.operations import Operations
from mqttgate.handlers._shape import broker, node


def ops() -> Operations:
    """Monitor, alarms and audit log of this node."""
    return request.state.ops


async def get_monitor(*, latest: int | None = None):
    """Every node's samples of the last `latest` seconds, oldest first."""
    return [asdict(sample) for sample in await ops().monitor.history(latest=latest)]


async def get_node_monitor(*, node: str, latest: int | None = None):
    """One node's samples."""
    _known(node)
    return [asdict(sample) for sample in await ops().monitor.history(latest=latest, node=node)]


async def get_monitor_current():
    """The gauges and rates, summed over the nodes (mqttgate runs one)."""
    return {**asdict(ops().monitor.current(broker().stats())), "nodes": 1}


async def get_node_monitor_current(*, node: str):
    """One node's gauges and rates."""
    _known(node)
    return asdict(ops().monitor.current(broker().stats()))


def _known(name: str) -> None:
    if name != node():
        raise NodeNotFound()
