"""GET /stats, /nodes/{node}/stats: connections, sessions, subscriptions, topics and retained messages, now and
at most (EMQX)."""

from __future__ import annotations

from mqttgate.handlers._shape import per_node_answer, per_node_values


async def get_stats(*, aggregate: bool = False):
    """Each gauge now and at its highest since start: per node, or summed over the nodes."""
    return await per_node_values("stats", aggregate=aggregate)


async def get_node_stats(*, node: str):
    """One node's gauges."""
    return await per_node_answer("stats", node)
