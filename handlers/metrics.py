"""GET /metrics, /nodes/{node}/metrics: counters since the broker started (EMQX)."""

from __future__ import annotations

from mqttgate.handlers._shape import per_node_answer, per_node_values


async def get_metrics(*, aggregate: bool = False):
    """Bytes, packets, messages, clients, sessions and authorization, counted since start: per node, or summed."""
    return await per_node_values("metrics", aggregate=aggregate)


async def get_node_metrics(*, node: str):
    """One node's counters."""
    return await per_node_answer("metrics", node)
