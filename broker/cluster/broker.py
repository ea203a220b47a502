"""The broker port across the cluster: the local adapter for what is here, requests to the nodes for the rest."""

from __future__ import annotations

import dataclasses
import logging
import platform
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from mqttgate.broker.adapter import Client, ClientFilter, Page, Route, Subscription, SubscriptionFilter
from mqttgate.broker.cluster.node import ClusterNode
from mqttgate.broker.cluster.shared import Replica, SharedRetained
from mqttgate.broker.errors import BrokerUnavailable, ClientNotFound, NodeNotFound, TopicNotFound
from mqttgate.broker.host import host_stats

log = logging.getLogger(__name__)
T = TypeVar("T")


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

    async def _answer_hold(self, *, clientid: str) -> dict[str, Any] | None:
        return await self.local.hold_session(clientid)

    async def _answer_handoff(self, *, clientid: str) -> dict[str, Any] | None:
        return await self.local.hand_off_session(clientid)

    # -- listings: every node's, in node order ------------------------------------------------

    async def _paged(self, op: str, args: dict[str, Any], *, node: str | None, page: int, limit: int,
                     decode: Callable[[Any, str], T]) -> Page[T]:
        """One page of a listing over every live node (or `node` alone): each node's items in its own
        order, nodes by name; a node's answer to `op` is its first `first` items and their count.

        A node that does not answer in time (or fails) is named in `missing_nodes` and the count is left out.
        """
        live = self.node.live_nodes()
        if node is not None and node not in live:
            return Page(items=[], hasnext=False, count=0)
        nodes = live if node is None else [node]
        start = (page - 1) * limit
        answers, _ = await self.node.ask_all(nodes, op, {**args, "first": start + limit + 1})
        missing = _unanswered(nodes, answers)
        found: list[tuple[Any, str]] = []
        count: int | None = 0
        for name in nodes:
            if name in answers:
                found += [(item, name) for item in answers[name]["items"]]
                node_count = answers[name]["count"]
                count = None if count is None or node_count is None else count + node_count
        return Page(items=[decode(item, name) for item, name in found[start:start + limit]],
                    hasnext=len(found) > start + limit, count=None if missing else count, missing_nodes=missing)

    async def list_client_rows(self, where: ClientFilter, *, page: int, limit: int) -> Page[dict[str, Any]]:
        """The clients of every live node (or of `where.node`), each as a row of `Client`'s fields."""
        args = {"where": _wire(dataclasses.asdict(dataclasses.replace(where, node=None)))}
        return await self._paged("clients", args, node=where.node, page=page, limit=limit, decode=_row)

    async def list_clients(self, where: ClientFilter, *, page: int, limit: int) -> Page[Client]:
        rows = await self.list_client_rows(where, page=page, limit=limit)
        return dataclasses.replace(rows, items=[Client(**row) for row in rows.items])

    async def _answer_clients(self, *, where: dict[str, Any], first: int) -> dict[str, Any]:
        page = self.local.list_client_rows(_filter(where), page=1, limit=first)
        return {"items": [_wire(row) for row in page.items], "count": page.count}

    async def list_subscriptions(self, where: SubscriptionFilter, *, page: int, limit: int) -> Page[Subscription]:
        """The subscriptions of every live node (or of `where.node`)."""
        args = {"where": dataclasses.asdict(dataclasses.replace(where, node=None))}
        return await self._paged("subscriptions", args, node=where.node, page=page, limit=limit,
                                 decode=lambda item, name: Subscription(*item, node=name))

    async def _answer_subscriptions(self, *, where: dict[str, Any], first: int) -> dict[str, Any]:
        page = self.local.list_subscriptions(SubscriptionFilter(**where), page=1, limit=first)
        return {"items": [[s.clientid, s.topic, s.qos] for s in page.items], "count": page.count}

    async def list_routes(self, *, matching: str | None = None, node: str | None = None, page: int,
                          limit: int) -> Page[Route]:
        """The active topic filters of every live node (or of `node`): one route per filter and node."""
        return await self._paged("routes", {"matching": matching}, node=node, page=page, limit=limit, decode=_route)

    async def _answer_routes(self, *, matching: str | None, first: int) -> dict[str, Any]:
        page = self.local.list_routes(matching=matching, page=1, limit=first)
        return {"items": [_wire_route(route) for route in page.items], "count": page.count}

    async def get_route(self, topic: str) -> Route:
        """The filter's subscribers on every live node (this node's first), `node` the first that holds it.

        Raises:
            TopicNotFound: no node that answered holds it, and every node answered.
            BrokerUnavailable: none that answered holds it, and some did not answer.
        """
        here = self.node.name
        nodes = [here] + [n for n in self.node.live_nodes() if n != here]
        answers, missing = await self.node.ask_all(nodes, "route", {"topic": topic})
        held = [_route(answers[name], name) for name in nodes if name in answers]
        if not held:
            if missing:
                raise BrokerUnavailable(f"Topic not found on the nodes that answered; "
                                        f"{', '.join(missing)} did not answer in time")
            raise TopicNotFound()
        return Route(topic=topic, subscribers=[s for route in held for s in route.subscribers], node=held[0].node,
                     missing_nodes=missing)

    async def _answer_route(self, *, topic: str) -> list[Any]:
        return _wire_route(self.local.get_route(topic))

    # -- clients: on the node that holds them ------------------------------------------------

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
        return Client(**_row(found, name))

    async def _answer_client(self, *, clientid: str) -> Any:
        return _wire(dataclasses.asdict(self.local.get_client(clientid)))

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
        name, items = await self._holder("client_subscriptions", {"clientid": clientid})
        return [Subscription(*item, node=name) for item in items]

    async def _answer_client_subscriptions(self, *, clientid: str) -> list[Any]:
        return [[s.clientid, s.topic, s.qos] for s in self.local.client_subscriptions(clientid)]

    async def subscribe(self, clientid: str, requests: Sequence[tuple[str, int]]) -> list[Subscription]:
        name, items = await self._holder("subscribe", {"clientid": clientid, "requests": [list(r) for r in requests]})
        return [Subscription(*item, node=name) for item in items]

    async def _answer_subscribe(self, *, clientid: str, requests: list[list[Any]]) -> list[Any]:
        made = await self.local.subscribe(clientid, [(topic, qos) for topic, qos in requests])
        return [[s.clientid, s.topic, s.qos] for s in made]

    async def unsubscribe(self, clientid: str, topics: Sequence[str]) -> None:
        await self._holder("unsubscribe", {"clientid": clientid, "topics": list(topics)})

    async def _answer_unsubscribe(self, *, clientid: str, topics: list[str]) -> bool:
        await self.local.unsubscribe(clientid, topics)
        return True

    # -- per node: stats, metrics, listeners -----------------------------------------------------

    async def of_nodes(self, what: str, only: str | None = None) -> tuple[dict[str, Any], list[str]]:
        """`what` ("stats", "metrics" or "listeners") of every live node, or of `only`: ({node: its answer},
        the nodes that did not answer in time), nodes by name.

        Raises:
            NodeNotFound: `only` is no live node.
        """
        answer = getattr(self, f"_answer_{what}") if what in _PER_NODE else None
        if answer is None:
            raise ValueError(f"unknown per-node value {what!r}")
        live = self.node.live_nodes()
        if only is not None and only not in live:
            raise NodeNotFound()
        asked = live if only is None else [only]
        here = {self.node.name: await answer()} if self.node.name in asked else {}  # its errors are its own
        others = [name for name in asked if name != self.node.name]
        answers, _ = await self.node.ask_all(others, what, {})
        return {**here, **answers}, _unanswered(others, answers)

    async def _answer_stats(self) -> dict[str, int]:
        return self.local.stats()

    async def _answer_metrics(self) -> dict[str, int]:
        return self.local.metrics()

    async def _answer_listeners(self) -> list[dict[str, Any]]:
        return [dataclasses.asdict(x) for x in self.local.status().listeners]

    # -- nodes ------------------------------------------------------------------------------

    async def nodes(self) -> tuple[dict[str, dict[str, Any]], list[str]]:
        """What every live node says of itself ({node: `_answer_describe`}), and the nodes that did not answer."""
        return await self.node.ask_all(self.node.live_nodes(), "describe", {})

    async def _answer_describe(self) -> dict[str, Any]:
        status = self.local.status()
        return {"started_at": status.started_at.isoformat() if status.started_at else None,
                "stats": self.local.stats(), "listeners": [dataclasses.asdict(x) for x in status.listeners],
                "host": dataclasses.asdict(host_stats()), "python_version": platform.python_version()}


_PER_NODE = ("stats", "metrics", "listeners")


def _unanswered(asked: list[str], answers: dict[str, Any]) -> list[str]:
    """The nodes asked that gave no answer: out of time, or failing (a listing or a per-node value has no
    error of its own to give, so a node that raised one is missing too)."""
    return [name for name in asked if name not in answers]


def _wire(values: dict[str, Any]) -> dict[str, Any]:
    """A row of plain values as JSON: times in ISO 8601, sequences as lists."""
    out = {}
    for key, value in values.items():
        if isinstance(value, datetime):
            value = value.isoformat()
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


def _times(values: dict[str, Any]) -> dict[str, Any]:
    for name, value in values.items():
        if name.endswith("_at") and isinstance(value, str):
            values[name] = datetime.fromisoformat(value)
    return values


def _row(values: dict[str, Any], node: str) -> dict[str, Any]:
    """Another node's client row as the local adapter gives one, naming that node."""
    return {**_times(dict(values)), "node": node}


def _filter(values: dict[str, Any]) -> ClientFilter:
    values = _times(dict(values))
    values["clientid"], values["username"] = tuple(values["clientid"]), tuple(values["username"])
    return ClientFilter(**values)


def _wire_route(route: Route) -> list[Any]:
    return [route.topic, [[s.clientid, s.qos] for s in route.subscribers]]


def _route(item: list[Any], node: str) -> Route:
    topic, held = item
    return Route(topic=topic, subscribers=[Subscription(clientid, topic, qos, node) for clientid, qos in held],
                 node=node)
