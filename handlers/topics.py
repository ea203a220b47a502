"""Active topic filters, the routes (EMQX /topics)."""

from __future__ import annotations

from mqttgate.broker.adapter import Page
from mqttgate.handlers._shape import broker, page_body
from mqttgate.handlers._shape import node as this_node
from mqttgate.handlers.clients import subscription


async def list_topics(*, page: int = 1, limit: int = 100, topic: str | None = None, node: str | None = None):
    """One page of routes with how many clients hold each."""
    here = this_node()
    if node is not None and node != here:
        return page_body(Page(items=[], hasnext=False, count=0), page=page, limit=limit, shape=dict)
    result = broker().list_routes(matching=topic, page=page, limit=limit)
    return page_body(result, page=page, limit=limit,
                     shape=lambda route: {"topic": route.topic, "node": here,
                                          "subscriptions_cnt": len(route.subscribers)})


async def get_topic(*, topic: str):
    """One route and its subscribers."""
    here = this_node()
    route = broker().get_route(topic)
    return {"topic": route.topic, "node": here, "subscriptions": [subscription(s, here) for s in route.subscribers]}
