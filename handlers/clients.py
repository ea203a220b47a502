"""Clients: list, inspect, kick, and their subscriptions (EMQX /clients)."""

from __future__ import annotations

from typing import Any

from connexion import NoContent

from mqttgate.broker.adapter import Client, ClientFilter, Subscription
from mqttgate.handlers._shape import broker, page_body, parse_time, resolved
from mqttgate.handlers._shape import node as this_node
from mqttgate.handlers._time import rfc3339


def _client(client: Client | dict[str, Any], node: str, fields: set[str] | None = None) -> dict[str, Any]:
    # a row is the adapter's fresh dict, shaped in place: a page of clients is a hundred of them
    body = client if type(client) is dict else dict(vars(client))
    for key in _TIMES:
        if (moment := body[key]) is None:
            del body[key]
        else:
            body[key] = rfc3339(moment)
    body["node"] = body["node"] or node
    return body if fields is None else {k: v for k, v in body.items() if k in fields}


_TIMES = ("created_at", "connected_at", "disconnected_at")  # Client's times; unknown ones are left out


def subscription(item: Subscription, node: str) -> dict[str, Any]:
    """A subscription on the wire; `node` is this node, named where the subscription names none."""
    return {"clientid": item.clientid, "topic": item.topic, "qos": item.qos, "node": item.node or node}


async def list_clients(
    *, page: int = 1, limit: int = 100, clientid: list[str] | None = None, username: list[str] | None = None,
    like_clientid: str | None = None, like_username: str | None = None, conn_state: str | None = None,
    ip_address: str | None = None, clean_start: bool | None = None, proto_ver: int | None = None,
    gte_created_at: str | None = None, lte_created_at: str | None = None, gte_connected_at: str | None = None,
    lte_connected_at: str | None = None, fields: list[str] | None = None, node: str | None = None,
):
    """One page of clients matching every filter given."""
    where = ClientFilter(
        clientid=tuple(clientid or ()), username=tuple(username or ()), like_clientid=like_clientid,
        like_username=like_username, conn_state=conn_state, ip_address=ip_address, clean_start=clean_start,
        proto_ver=proto_ver, gte_created_at=parse_time(gte_created_at, "gte_created_at"),
        lte_created_at=parse_time(lte_created_at, "lte_created_at"),
        gte_connected_at=parse_time(gte_connected_at, "gte_connected_at"),
        lte_connected_at=parse_time(lte_connected_at, "lte_connected_at"), node=node,
    )
    result = await resolved(broker().list_client_rows(where, page=page, limit=limit))
    here, wanted = this_node(), None if not fields or "all" in fields else set(fields)
    return page_body(result, page=page, limit=limit, shape=lambda client: _client(client, here, wanted))


async def get_client(*, clientid: str):
    """One client by id."""
    return _client(await resolved(broker().get_client(clientid)), this_node())


async def kick_client(*, clientid: str):
    """Kick the client and discard its session."""
    await broker().kick_client(clientid)
    return NoContent, 204


async def kick_clients(*, body: list[str]):
    """Kick every listed client that exists."""
    await broker().kick_clients(body)
    return NoContent, 204


async def list_client_subscriptions(*, clientid: str):
    """The client's subscriptions."""
    here = this_node()
    return [subscription(s, here) for s in await resolved(broker().client_subscriptions(clientid))]


async def subscribe(*, clientid: str, body: dict[str, Any]):
    """Subscribe the client to one filter."""
    (made,) = await broker().subscribe(clientid, [(body["topic"], body.get("qos", 0))])
    return subscription(made, this_node())


async def subscribe_bulk(*, clientid: str, body: list[dict[str, Any]]):
    """Subscribe the client to several filters, all or nothing."""
    made = await broker().subscribe(clientid, [(item["topic"], item.get("qos", 0)) for item in body])
    here = this_node()
    return [subscription(s, here) for s in made]


async def unsubscribe(*, clientid: str, body: dict[str, Any]):
    """Remove one of the client's subscriptions."""
    await broker().unsubscribe(clientid, [body["topic"]])
    return NoContent, 204


async def unsubscribe_bulk(*, clientid: str, body: list[dict[str, Any]]):
    """Remove several of the client's subscriptions."""
    await broker().unsubscribe(clientid, [item["topic"] for item in body])
    return NoContent, 204
