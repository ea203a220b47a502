"""GET /metrics: counters since the broker started (EMQX /metrics)."""

from __future__ import annotations

from mqttgate.handlers._shape import broker, by_node


async def get_metrics(*, aggregate: bool = False):
    """Bytes, packets, messages, clients, sessions and authorization, counted since start."""
    return by_node(broker().metrics(), aggregate=aggregate)
