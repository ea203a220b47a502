"""Active topic filters, the routes (EMQX /topics)."""

from __future__ import annotations

from mqttgate.handlers._shape import broker, missing_nodes_header, page_body, resolved
from mqttgate.handlers._shape import node as this_node
from mqttgate.handlers.clients import subscription


async def list_topics(*, page: int = 1, limit: int = 100, topic: str | None = None, node: str | None = None):
    """One page of routes with how many clients hold each (in a cluster, one per filter and node)."""
    here = this_node()
    result = await resolved(broker().list_routes(matching=topic, node=node, page=page, limit=limit))
    return page_body(result, page=page, limit=limit,
                     shape=lambda route: {"topic": route.topic, "node": route.node or here,
                                          "subscriptions_cnt": len(route.subscribers)})


async def get_topic(*, topic: str):
    """One route and its subscribers (in a cluster, on every node)."""
    here = this_node()
    route = await resolved(broker().get_route(topic))
    body = {"topic": route.topic, "node": route.node or here,
            "subscriptions": [subscription(s, here) for s in route.subscribers]}
    return body, 200, missing_nodes_header(route.missing_nodes)
