"""Subscriptions of all clients (EMQX /subscriptions)."""

from __future__ import annotations

from mqttgate.broker.adapter import SubscriptionFilter
from mqttgate.handlers._shape import broker, page_body, resolved
from mqttgate.handlers._shape import node as this_node
from mqttgate.handlers.clients import subscription


async def list_subscriptions(*, page: int = 1, limit: int = 100, clientid: str | None = None,
                             topic: str | None = None, qos: int | None = None, match_topic: str | None = None,
                             node: str | None = None):
    """One page of subscriptions matching every filter given (in a cluster, of every node)."""
    where = SubscriptionFilter(clientid=clientid, topic=topic, qos=qos, match_topic=match_topic, node=node)
    here = this_node()
    result = await resolved(broker().list_subscriptions(where, page=page, limit=limit))
    return page_body(result, page=page, limit=limit, shape=lambda item: subscription(item, here))
