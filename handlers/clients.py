"""Clients: list, inspect, kick (EMQX /clients)."""

from __future__ import annotations

from typing import Any

from connexion import NoContent

from broker.adapter import Client, ClientFilter
from handlers._shape import broker, node, page_body, plain


def _client(client: Client, node: str) -> dict[str, Any]:
    body = plain(client)
    body["node"] = node
    return body


async def list_clients(
    *, page: int = 1, limit: int = 100, clientid: list[str] | None = None, username: list[str] | None = None,
    like_clientid: str | None = None, like_username: str | None = None, conn_state: str | None = None,
    ip_address: str | None = None,
):
    """One page of clients matching every filter given."""
    where = ClientFilter(clientid=tuple(clientid or ()), username=tuple(username or ()),
                         like_clientid=like_clientid, like_username=like_username,
                         conn_state=conn_state, ip_address=ip_address)
    result = broker().list_clients(where, page=page, limit=limit)
    here = node()
    return page_body(result, page=page, limit=limit, shape=lambda client: _client(client, here))


async def get_client(*, clientid: str):
    """One client by id."""
    return _client(broker().get_client(clientid), node())


async def kick_client(*, clientid: str):
    """Kick the client and discard its session."""
    await broker().kick_client(clientid)
    return NoContent, 204
