"""Subscriptions of all clients (EMQX /subscriptions)."""

from __future__ import annotations

from mqttgate.broker.adapter import SubscriptionFilter
from mqttgate.handlers._shape import broker, node, page_body
from mqttgate.handlers.clients import subscription


async def list_subscriptions(*, page: int = 1, limit: int = 100, clientid: str | None = None,
                             topic: str | None = None, qos: int | None = None, match_topic: str | None = None):
    """One page of subscriptions matching every filter given."""
    where = SubscriptionFilter(clientid=clientid, topic=topic, qos=qos, match_topic=match_topic)
    here = node()
    result = broker().list_subscriptions(where, page=page, limit=limit)
    return page_body(result, page=page, limit=limit, shape=lambda item: subscription(item, here))
