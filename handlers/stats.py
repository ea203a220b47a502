"""GET /stats: connections, sessions, subscriptions, topics and retained messages, now and at most (EMQX /stats)."""

from __future__ import annotations

from mqttgate.handlers._shape import broker, by_node


async def get_stats(*, aggregate: bool = False):
    """Each gauge now and at its highest since the broker started."""
    return by_node(broker().stats(), aggregate=aggregate)
