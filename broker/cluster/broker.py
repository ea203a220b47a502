"""The broker port across the cluster: the local adapter for what is here, requests to the nodes for the rest."""

from __future__ import annotations

import dataclasses
import logging
import platform
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from mqttgate.broker.adapter import Client, ClientFilter, Page, Subscription
from mqttgate.broker.cluster.node import ClusterNode
from mqttgate.broker.cluster.shared import Replica, SharedRetained
from mqttgate.broker.errors import BrokerUnavailable, ClientNotFound
from mqttgate.broker.host import host_stats

log = logging.getLogger(__name__)


class ClusterBroker:
    """`BrokerAdapter` for a node of a cluster, over this node's `AmqttBrokerAdapter`.

    What it does not override is this node's own answer (the local adapter's).

    Args:
        local: this node's broker adapter, built with `cluster=node`.
        node: this node's membership of the cluster.
    """

    def __init__(self, local: Any, node: ClusterNode, shared: Sequence[Replica] = ()) -> None:
        self.local = local
        self.node = node
        self.shared = list(shared)
        for replica in self.shared:
            if isinstance(replica, SharedRetained):
                replica.on_change = local.apply_retained

    def __getattr__(self, name: str) -> Any:
        return getattr(self.local, name)

    async def start(self) -> None:
        await self.node.start(self.local.deliver_remote, self.answer)
        try:
            for replica in self.shared:
                await replica.join()
            await self.local.start()
        except BaseException:
            await self._leave()
            raise

    async def stop(self) -> None:
        try:
            await self.local.stop()
        finally:
            await self._leave()

    async def _leave(self) -> None:
        for replica in self.shared:
            await replica.leave()
        await self.node.stop()

    async def answer(self, op: str, args: dict[str, Any]) -> Any:
        """Answer another node's request `op` from this node's own state."""
        handler = getattr(self, f"_answer_{op}", None)
        for replica in self.shared if handler is None else ():  # what a part of the shared state answers
            handler = getattr(replica, f"answer_{op}", None) or handler
        if handler is None:
            raise ValueError(f"unknown cluster request {op!r}")
        return await handler(**args)

    async def _answer_release(self, *, clientid: str) -> bool:
        return await self.local.release_client(clientid)

    # -- clients: every node's, in node order ---------------------------------------------

    async def list_clients(self, where: ClientFilter, *, page: int, limit: int) -> Page[Client]:
        """The clients of every live node (or of `where.node`): each node's in its own order, nodes by name."""
        nodes = self.node.live_nodes() if where.node is None else [where.node]
        if where.node is not None and where.node not in self.node.live_nodes():
            return Page(items=[], hasnext=False, count=0)
        local_where = dataclasses.replace(where, node=None)
        start = (page - 1) * limit
        answers, missing = await self.node.ask_all(nodes, "clients", {"where": _plain(local_where),
                                                                       "first": start + limit + 1})
        found: list[Client] = []
        count: int | None = 0
        for name in nodes:
            if name in answers:
                found += [_client(item, name) for item in answers[name]["items"]]
                node_count = answers[name]["count"]
                count = None if count is None or node_count is None else count + node_count
        items = found[start:start + limit]
        return Page(items=items, hasnext=len(found) > start + limit, count=None if missing else count,
                    missing_nodes=missing)

    # the name of the single node's fast path (rows instead of Client objects) answers the same
    list_client_rows = list_clients

    async def _answer_clients(self, *, where: dict[str, Any], first: int) -> dict[str, Any]:
        page = self.local.list_clients(_filter(where), page=1, limit=first)
        return {"items": [_plain(c) for c in page.items], "count": page.count}

    async def _holder(self, op: str, args: dict[str, Any]) -> tuple[str, Any]:
        """Run `op` on the node holding `args["clientid"]` (this one first): (that node, its answer)."""
        clientid = args["clientid"]
        if clientid in self.local._running.sessions:
            return self.node.name, await self.answer(op, args)
        others = [n for n in self.node.live_nodes() if n != self.node.name]
        answers, missing = await self.node.ask_all(others, op, args)
        for name in others:
            if name in answers:
                return name, answers[name]
        if missing:
            raise BrokerUnavailable(f"Client id not found on the nodes that answered; "
                                    f"{', '.join(missing)} did not answer in time")
        raise ClientNotFound(clientid)

    async def get_client(self, clientid: str) -> Client:
        name, found = await self._holder("client", {"clientid": clientid})
        return _client(found, name)

    async def _answer_client(self, *, clientid: str) -> Any:
        return _plain(self.local.get_client(clientid))

    async def kick_client(self, clientid: str) -> None:
        await self._holder("kick", {"clientid": clientid})

    async def _answer_kick(self, *, clientid: str) -> bool:
        await self.local.kick_client(clientid)
        return True

    async def kick_clients(self, clientids: Sequence[str]) -> None:
        await self.node.ask_all(self.node.live_nodes(), "kick_many", {"clientids": list(clientids)})

    async def _answer_kick_many(self, *, clientids: list[str]) -> bool:
        await self.local.kick_clients(clientids)
        return True

    async def client_subscriptions(self, clientid: str) -> list[Subscription]:
        _, items = await self._holder("client_subscriptions", {"clientid": clientid})
        return [Subscription(**item) for item in items]

    async def _answer_client_subscriptions(self, *, clientid: str) -> list[Any]:
        return [dataclasses.asdict(s) for s in self.local.client_subscriptions(clientid)]

    async def subscribe(self, clientid: str, requests: Sequence[tuple[str, int]]) -> list[Subscription]:
        _, items = await self._holder("subscribe", {"clientid": clientid, "requests": [list(r) for r in requests]})
        return [Subscription(**item) for item in items]

    async def _answer_subscribe(self, *, clientid: str, requests: list[list[Any]]) -> list[Any]:
        made = await self.local.subscribe(clientid, [(topic, qos) for topic, qos in requests])
        return [dataclasses.asdict(s) for s in made]

    async def unsubscribe(self, clientid: str, topics: Sequence[str]) -> None:
        await self._holder("unsubscribe", {"clientid": clientid, "topics": list(topics)})

    async def _answer_unsubscribe(self, *, clientid: str, topics: list[str]) -> bool:
        await self.local.unsubscribe(clientid, topics)
        return True

    # -- nodes ------------------------------------------------------------------------------

    async def nodes(self) -> tuple[dict[str, dict[str, Any]], list[str]]:
        """What every live node says of itself ({node: `_answer_describe`}), and the nodes that did not answer."""
        return await self.node.ask_all(self.node.live_nodes(), "describe", {})

    async def _answer_describe(self) -> dict[str, Any]:
        status = self.local.status()
        return {"started_at": status.started_at.isoformat() if status.started_at else None,
                "stats": self.local.stats(), "listeners": [dataclasses.asdict(x) for x in status.listeners],
                "host": dataclasses.asdict(host_stats()), "python_version": platform.python_version()}


def _plain(item: Any) -> dict[str, Any]:
    """A flat dataclass as JSON: times in ISO 8601, sequences as lists."""
    out = {}
    for key, value in dataclasses.asdict(item).items():
        if isinstance(value, datetime):
            value = value.isoformat()
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


def _times(values: dict[str, Any], cls: type) -> dict[str, Any]:
    for name, value in values.items():
        if name.endswith("_at") and isinstance(value, str):
            values[name] = datetime.fromisoformat(value)
    return values


def _client(values: dict[str, Any], node: str) -> Client:
    return Client(**{**_times(dict(values), Client), "node": node})


def _filter(values: dict[str, Any]) -> ClientFilter:
    values = _times(dict(values), ClientFilter)
    values["clientid"], values["username"] = tuple(values["clientid"]), tuple(values["username"])
    return ClientFilter(**values)
